extension RGBImage {
    /// transformers' `center_crop`: the `width` x `height` window at offsets
    /// `(side - crop) // 2` (rounded down). Along an axis where the image is smaller than
    /// the crop, the image is instead placed at `ceil((crop - side) / 2)` on a black canvas,
    /// which is what transformers' zero padding then cropping amounts to.
    public func centerCropped(width cropWidth: Int, height cropHeight: Int) -> RGBImage {
        precondition(cropWidth > 0 && cropHeight > 0,
                     "centerCropped: size must be positive, not \(cropWidth) x \(cropHeight)")
        if cropWidth == width && cropHeight == height { return self }
        let columns = Self.cropPlacement(side: width, crop: cropWidth)
        let rows = Self.cropPlacement(side: height, crop: cropHeight)
        var output = [UInt8](repeating: 0, count: cropWidth * cropHeight * 3)
        output.withUnsafeMutableBufferPointer { target in
            pixels.withUnsafeBufferPointer { source in
                for r in 0..<rows.count {
                    let to = target.baseAddress! + ((rows.target + r) * cropWidth + columns.target) * 3
                    let from = source.baseAddress! + ((rows.source + r) * width + columns.source) * 3
                    to.update(from: from, count: columns.count * 3)
                }
            }
        }
        return RGBImage(width: cropWidth, height: cropHeight, pixels: output)
    }

    /// Along one axis: where the copied run starts in the source and in the crop, and its length.
    private static func cropPlacement(side: Int, crop: Int) -> (source: Int, target: Int, count: Int) {
        if side >= crop { return ((side - crop) / 2, 0, crop) }
        return (0, (crop - side + 1) / 2, side)
    }
}
