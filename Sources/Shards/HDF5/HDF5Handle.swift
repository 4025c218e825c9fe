import CHDF5

/// Owns one HDF5 identifier and closes it (under the library lock) when released, so that
/// early exits and thrown errors never leak open files, datasets or dataspaces.
final class HDF5Handle {
    enum Kind { case file, group, dataset, dataspace, datatype, attribute, propertyList }

    let id: hid_t
    let kind: Kind
    private var isOpen = true

    /// Takes ownership of `id`; the caller has checked that it is valid (>= 0).
    init(_ id: hid_t, _ kind: Kind) {
        self.id = id
        self.kind = kind
    }

    /// Closes now and reports whether HDF5 succeeded (closing a file writes its last
    /// metadata, which can fail). Later calls, and the deinit, do nothing.
    @discardableResult
    func close() -> Bool {
        HDF5Library.locked {
            guard isOpen else { return true }
            isOpen = false
            let status: herr_t
            switch kind {
            case .file: status = H5Fclose(id)
            case .group: status = H5Gclose(id)
            case .dataset: status = H5Dclose(id)
            case .dataspace: status = H5Sclose(id)
            case .datatype: status = H5Tclose(id)
            case .attribute: status = H5Aclose(id)
            case .propertyList: status = H5Pclose(id)
            }
            return status >= 0
        }
    }

    deinit { close() }
}
