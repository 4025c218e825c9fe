/// The CPU implementation of `Backend`: BLAS for matrix products, vectorised Swift loops
/// spread over `Parallel.threads` for everything else.
public struct CPUBackend: Backend {
    public init() {}
}
