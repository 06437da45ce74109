"""Thrift's compact protocol without a schema: enough to change a Parquet footer in a few fields.

A Parquet footer is one Thrift struct in the compact protocol. `parse` reads it into `Field`s (id,
wire type, value) in the order they were written, keeping every field, known to us or not, with
its type; `dump` writes them back as Apache Thrift's writers do, byte for byte. So a footer can
have a few values changed (offsets, counts) and nothing else. Parquet's own readers and writers
(parquet-cpp, parquet-java) use generated code; this exists because none of them can shift the
offsets of row groups copied from another file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

BOOL_TRUE, BOOL_FALSE, I8, I16, I32, I64, DOUBLE, BINARY, LIST, SET, MAP, STRUCT = range(1, 13)
_BOOLS = (BOOL_TRUE, BOOL_FALSE)
_VARINTS = (I16, I32, I64)


class ThriftError(ValueError):
    """The bytes are not one well-formed compact-protocol struct."""


@dataclass
class Field:
    """One field of a struct; `value` is an int, bool, bytes (binary, or a double's 8 raw bytes),
    a `ThriftList` (list or set), a `ThriftMap` (map) or a list of `Field`s (struct)."""

    id: int
    type: int
    value: Any


@dataclass
class ThriftList:
    """A list or set: its element type and its items (a bool element is kept as its raw byte)."""

    element_type: int
    items: list


@dataclass
class ThriftMap:
    key_type: int
    value_type: int
    items: list[tuple[Any, Any]]


Struct = list[Field]


class _Reader:
    def __init__(self, data: bytes):
        self.data = data
        self.position = 0

    def byte(self) -> int:
        value = self.data[self.position]
        self.position += 1
        return value

    def take(self, size: int) -> bytes:
        end = self.position + size
        if end > len(self.data):
            raise ThriftError(f"{size} bytes asked at {self.position}, past the end")
        value = self.data[self.position : end]
        self.position = end
        return value

    def varint(self) -> int:
        result = shift = 0
        while True:
            byte = self.byte()
            result |= (byte & 0x7F) << shift
            if byte < 0x80:
                return result
            shift += 7

    def zigzag(self) -> int:
        n = self.varint()
        return (n >> 1) ^ -(n & 1)

    def value(self, type_: int) -> Any:
        if type_ in _VARINTS:
            return self.zigzag()
        if type_ == I8:
            return self.byte()
        if type_ == DOUBLE:
            return self.take(8)
        if type_ == BINARY:
            return self.take(self.varint())
        if type_ in (LIST, SET):
            header = self.byte()
            size, element_type = header >> 4, header & 0x0F
            if size == 15:
                size = self.varint()
            if element_type in _BOOLS:
                return ThriftList(element_type, [self.byte() for _ in range(size)])
            return ThriftList(element_type, [self.value(element_type) for _ in range(size)])
        if type_ == MAP:
            size = self.varint()
            if not size:
                return ThriftMap(0, 0, [])
            types = self.byte()
            key_type, value_type = types >> 4, types & 0x0F
            items = [(self.value(key_type), self.value(value_type)) for _ in range(size)]
            return ThriftMap(key_type, value_type, items)
        if type_ == STRUCT:
            return self.struct()
        raise ThriftError(f"unknown compact type {type_} at byte {self.position}")

    def struct(self) -> Struct:
        fields: Struct = []
        last_id = 0
        while (header := self.byte()) != 0:
            type_, delta = header & 0x0F, header >> 4
            field_id = last_id + delta if delta else self.zigzag()
            last_id = field_id
            value = type_ == BOOL_TRUE if type_ in _BOOLS else self.value(type_)
            fields.append(Field(field_id, type_, value))
        return fields


def parse(data: bytes) -> Struct:
    """The struct that `data` holds, all of it."""
    reader = _Reader(data)
    try:
        struct = reader.struct()
    except (IndexError, RecursionError) as exc:
        raise ThriftError(f"truncated or malformed struct: {exc}") from None
    if reader.position != len(data):
        raise ThriftError(f"{len(data) - reader.position} bytes after the struct")
    return struct


def _varint(n: int, out: bytearray) -> None:
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)


def _zigzag(n: int, out: bytearray) -> None:
    _varint((n << 1) ^ (n >> 63), out)


def _value(type_: int, value: Any, out: bytearray) -> None:
    if type_ in _VARINTS:
        _zigzag(value, out)
    elif type_ == I8:
        out.append(value & 0xFF)
    elif type_ in (DOUBLE, BINARY):
        if type_ == BINARY:
            _varint(len(value), out)
        out += value
    elif type_ in (LIST, SET):
        size = len(value.items)
        if size < 15:
            out.append(size << 4 | value.element_type)
        else:
            out.append(0xF0 | value.element_type)
            _varint(size, out)
        if value.element_type in _BOOLS:
            out += bytes(value.items)
        else:
            for item in value.items:
                _value(value.element_type, item, out)
    elif type_ == MAP:
        _varint(len(value.items), out)
        if value.items:
            out.append(value.key_type << 4 | value.value_type)
            for key, item in value.items:
                _value(value.key_type, key, out)
                _value(value.value_type, item, out)
    elif type_ == STRUCT:
        _struct(value, out)
    else:
        raise ThriftError(f"unknown compact type {type_}")


def _struct(struct: Struct, out: bytearray) -> None:
    last_id = 0
    for field in struct:
        type_ = (BOOL_TRUE if field.value else BOOL_FALSE) if field.type in _BOOLS else field.type
        delta = field.id - last_id
        if 0 < delta <= 15:
            out.append(delta << 4 | type_)
        else:
            out.append(type_)
            _zigzag(field.id, out)
        last_id = field.id
        if type_ not in _BOOLS:
            _value(type_, field.value, out)
    out.append(0)


def dump(struct: Struct) -> bytes:
    """The compact-protocol bytes of `struct`."""
    out = bytearray()
    _struct(struct, out)
    return bytes(out)


def get(struct: Struct, field_id: int, default: Any = None) -> Any:
    """The value of field `field_id`, or `default` when the struct does not have it."""
    for field in struct:
        if field.id == field_id:
            return field.value
    return default


def put(struct: Struct, field_id: int, type_: int, value: Any) -> None:
    """Set field `field_id` (added in id order when the struct does not have it)."""
    for field in struct:
        if field.id == field_id:
            field.type, field.value = type_, value
            return
    struct.append(Field(field_id, type_, value))
    struct.sort(key=lambda field: field.id)
