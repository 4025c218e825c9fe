import AtomicFiles

/// A problem with a file format (safetensors, sharded checkpoints): the toolkit's one file
/// error type, so a failed atomic write and a bad header read alike.
public typealias FormatError = FileError
