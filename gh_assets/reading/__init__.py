"""Reading archive files: gzip streams to lines, lines to events, events to rows."""
