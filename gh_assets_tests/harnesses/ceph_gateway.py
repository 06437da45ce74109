"""Throwaway single-node Ceph cluster with a RADOS Gateway (S3 API) on loopback, for tests.

`start_ceph_gateway(workdir)` runs one monitor, one in-memory (memstore) OSD and one
radosgw as child processes of this Python process: no systemd, no cephx, everything
(config, data, logs, admin sockets) under `workdir`, on free 127.0.0.1 ports.
The gateway checks S3 request signatures. `.ci/install-system-packages.sh` installs Ceph.

s3fs/botocore work as is. `pyarrow.fs.S3FileSystem` uploads fail (HTTP 411) unless the
environment has AWS_REQUEST_CHECKSUM_CALCULATION=WHEN_REQUIRED when it is constructed.
"""

from __future__ import annotations

import ctypes
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import botocore.config
import botocore.session

from gh_assets_tests.harnesses.processes import free_port, stop_process_group

BINARIES = ("ceph-mon", "ceph-osd", "radosgw", "radosgw-admin", "monmaptool", "ceph")
ACCESS_KEY = "gh-assets-test"
SECRET_KEY = "gh-assets-test-secret"
# Unix socket paths are limited to 107 bytes.
_MAX_SOCKET_PATH = 100


class CephGatewayError(RuntimeError):
    """The Ceph gateway failed to start."""


def ceph_available() -> bool:
    """True if all Ceph binaries needed by `start_ceph_gateway` are on PATH."""
    return all(shutil.which(b) for b in BINARIES)


@dataclass
class CephGateway:
    """A running gateway; call `stop()` to terminate all of its processes."""

    endpoint_url: str
    access_key: str
    secret_key: str
    workdir: Path
    conf_path: Path
    log_paths: dict[str, Path]
    processes: dict[str, subprocess.Popen] = field(default_factory=dict, repr=False)
    _extra_dir: Path | None = field(default=None, repr=False)

    @property
    def pids(self) -> dict[str, int]:
        return {name: proc.pid for name, proc in self.processes.items()}

    @property
    def storage_options(self) -> dict:
        """Keyword arguments for `s3fs.S3FileSystem` (and fsspec `storage_options`)."""
        return {
            "key": self.access_key,
            "secret": self.secret_key,
            "client_kwargs": {"endpoint_url": self.endpoint_url},
        }

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM every process (gateway first, monitor last), SIGKILL stragglers, reap."""
        for proc in reversed(list(self.processes.values())):
            stop_process_group(proc, timeout)
        if self._extra_dir is not None:
            shutil.rmtree(self._extra_dir, ignore_errors=True)

    def log_tails(self, lines: int = 25) -> str:
        """The last lines of every log file, for error messages."""
        return "\n".join(_tail(path, lines) for path in self.log_paths.values())

    def __enter__(self) -> CephGateway:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def start_ceph_gateway(
    workdir: Path, timeout: float = 90.0, memstore_bytes: int = 2 << 30
) -> CephGateway:
    """Start monitor, OSD and radosgw under a new/empty `workdir`; wait until S3 answers."""
    workdir = Path(workdir).resolve()
    for sub in ("mon", "osd/osd.0", "run", "log", "rgw"):
        (workdir / sub).mkdir(parents=True, exist_ok=True)
    run_dir, extra_dir = workdir / "run", None
    if len(str(run_dir / "client.rgw.asok")) > _MAX_SOCKET_PATH:
        run_dir = extra_dir = Path(tempfile.mkdtemp(prefix="ceph-run-"))
    mon_port, rgw_port = free_port(), free_port()
    fsid = str(uuid.uuid4())
    conf = workdir / "ceph.conf"
    conf.write_text(_config(workdir, run_dir, fsid, mon_port, rgw_port, memstore_bytes))
    log_dir = workdir / "log"
    gw = CephGateway(
        endpoint_url=f"http://127.0.0.1:{rgw_port}",
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        workdir=workdir,
        conf_path=conf,
        log_paths={
            name: log_dir / f"{name}.log"
            for name in ("mon.a", "osd.0", "client.rgw", "client.admin", "daemons.out")
        },
        _extra_dir=extra_dir,
    )
    deadline = time.monotonic() + timeout
    c = ("-c", str(conf))
    monmap, mon_addr = str(workdir / "monmap"), f"[v2:127.0.0.1:{mon_port}]"
    osd_uuid = str(uuid.uuid4())
    try:
        _run(gw, "monmaptool", "--create", "--fsid", fsid, "--addv", "a", mon_addr, monmap)
        _run(gw, "ceph-mon", *c, "-i", "a", "--mkfs", "--monmap", monmap)
        _spawn(gw, "mon.a", "ceph-mon", *c, "-i", "a", "-f")
        _run(gw, "ceph", *c, "--connect-timeout", "30", "osd", "new", osd_uuid, "0")
        _run(gw, "ceph-osd", *c, "-i", "0", "--mkfs", "--osd-uuid", osd_uuid)
        _spawn(gw, "osd.0", "ceph-osd", *c, "-i", "0", "-f")
        _spawn(gw, "client.rgw", "radosgw", *c, "-n", "client.rgw", "-f")
        user = ("--uid", "test", "--display-name", "test")
        keys = ("--access-key", ACCESS_KEY, "--secret-key", SECRET_KEY)
        _run(gw, "radosgw-admin", *c, "user", "create", *user, *keys)
        _wait_for_s3(gw, deadline)
    except BaseException:
        gw.stop(timeout=5)
        raise
    return gw


def _config(
    workdir: Path, run_dir: Path, fsid: str, mon_port: int, rgw_port: int, memstore_bytes: int
) -> str:
    return f"""\
[global]
fsid = {fsid}
mon host = v2:127.0.0.1:{mon_port}
public addr = 127.0.0.1
ms bind msgr1 = false
ms bind ipv6 = false
auth cluster required = none
auth service required = none
auth client required = none
# Without these, clients hang in AUTH_CONNECTING when cephx is off.
ms cluster mode = crc
ms service mode = crc
ms client mode = crc
ms mon cluster mode = crc
ms mon service mode = crc
ms mon client mode = crc
keyring = {workdir}/keyring
run dir = {run_dir}
admin socket = {run_dir}/$name.asok
pid file = {run_dir}/$name.pid
log file = {workdir}/log/$name.log
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon max pg per osd = 1000
mon data avail crit = 0
# Commit monitor map changes (e.g. each pool radosgw creates) fast instead of once a second.
paxos propose interval = 0.01
paxos min wait = 0.001
mon warn on pool no redundancy = false

[mon]
mon data = {workdir}/mon/$name

[osd]
osd data = {workdir}/osd/$name
osd objectstore = memstore
memstore device bytes = {memstore_bytes}

[client]
# Clients that queue I/O before the OSD is up re-check the OSD map on this tick.
objecter tick interval = 0.2

[client.rgw]
rgw data = {workdir}/rgw
rgw frontends = beast endpoint=127.0.0.1:{rgw_port}
rgw thread pool size = 64
"""


def _run(gw: CephGateway, *cmd: str) -> str:
    """Run a setup command to completion; raise with its output and the log tails on failure."""
    try:
        res = subprocess.run(
            cmd, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL
        )
    except subprocess.TimeoutExpired as e:
        raise CephGatewayError(f"{' '.join(cmd)} timed out\n{gw.log_tails()}") from e
    if res.returncode != 0:
        raise CephGatewayError(
            f"{' '.join(cmd)} exited with {res.returncode}\n"
            f"stdout: {res.stdout[-2000:]}\nstderr: {res.stderr[-2000:]}\n{gw.log_tails()}"
        )
    return res.stdout


def _spawn(gw: CephGateway, name: str, *cmd: str) -> None:
    with open(gw.log_paths["daemons.out"], "ab") as out:
        gw.processes[name] = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # keep terminal signals (Ctrl-C) away from the daemons
            preexec_fn=_die_with_parent,
        )


def _die_with_parent() -> None:
    """In the child: get SIGKILL if this Python process dies without calling stop()."""
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def _wait_for_s3(gw: CephGateway, deadline: float) -> None:
    client = botocore.session.get_session().create_client(
        "s3",
        endpoint_url=gw.endpoint_url,
        region_name="us-east-1",
        aws_access_key_id=gw.access_key,
        aws_secret_access_key=gw.secret_key,
        config=botocore.config.Config(
            connect_timeout=1, read_timeout=5, retries={"max_attempts": 1}
        ),
    )
    while True:
        for name, proc in gw.processes.items():
            if proc.poll() is not None:
                raise CephGatewayError(f"{name} exited with {proc.returncode}\n{gw.log_tails()}")
        try:
            client.list_buckets()
            return
        except Exception as e:  # noqa: BLE001 - not up yet; keep polling
            if time.monotonic() > deadline:
                raise CephGatewayError(
                    f"S3 gateway at {gw.endpoint_url} not ready in time: {e!r}\n{gw.log_tails()}"
                ) from e
            time.sleep(0.2)


def _tail(path: Path, lines: int) -> str:
    try:
        text = path.read_text(errors="replace").splitlines()[-lines:]
    except OSError:
        return f"--- {path.name}: (missing)"
    return f"--- {path.name} (last {len(text)} lines):\n" + "\n".join(text)
