package dev.trellis.model.load;

import dev.trellis.model.SourceLocation;

/** A name as written in some file, kept for the checks that span files. */
record Ref(String value, String field, SourceLocation at) {}
