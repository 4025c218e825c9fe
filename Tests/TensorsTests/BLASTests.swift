import XCTest
@testable import Tensors
import CBLAS

final class BLASTests: XCTestCase {
    /// With AVX-512 the toolkit must have picked OpenBLAS's SkylakeX kernels (or what the
    /// user asked for), never a generic fallback.
    func testCoreTypeMatchesCPU() throws {
        let lib = BLAS.ensureLoaded()
        guard lib.path.contains("openblas"), let core = lib.core else { throw XCTSkip("not OpenBLAS") }
        if ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] != nil, lib.coreTypeNote.contains("from the environment") {
            return
        }
        if vlm_cpu_has_avx512() != 0 {
            XCTAssertEqual(core, "SkylakeX", lib.coreTypeNote)
        } else if vlm_cpu_has_avx2_fma() != 0 {
            XCTAssertEqual(core, "Haswell", lib.coreTypeNote)
        }
    }

    func testSingleThreadedScopeRestoresThreadCount() {
        _ = BLAS.ensureLoaded()
        let before = vlm_blas_get_threads()
        BLAS.singleThreaded {
            XCTAssertEqual(vlm_blas_get_threads(), before > 0 ? 1 : before)
        }
        XCTAssertEqual(vlm_blas_get_threads(), before)
    }
}
