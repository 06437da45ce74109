"""Generated GH Archive data, one generator for the tests and `make bench`.

`eras` (which shape a day has), `truth` (events as values), `draws` (seeded values: people, text,
commits, pushes), `shapes` (the JSON of each era), `payloads` (other events' payloads),
`rare_kinds` (one event of each further type of an era), `hours` (an hour file's lines and bytes),
`damage` (the archive's kinds of damage), `days` (fake days), `github_day` (a post-2025 day with
the fake GitHub's repositories that answer its pushes).
"""
