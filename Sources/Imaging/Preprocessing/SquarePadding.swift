extension RGBImage {
    /// LLaVA-1.5's `expand2square`: the image centred on a square canvas of side
    /// `max(width, height)` filled with `background`. The offset of the shorter side is
    /// `(long - short) / 2` rounded down, as in LLaVA's `(width - height) // 2`. A square
    /// image is returned as it is.
    public func paddedToSquare(background: RGBPixel) -> RGBImage {
        if width == height { return self }
        let side = max(width, height)
        let left = (side - width) / 2, top = (side - height) / 2
        var canvas = RGBImage(width: side, height: side, filledWith: background)
        canvas.pixels.withUnsafeMutableBufferPointer { target in
            pixels.withUnsafeBufferPointer { source in
                for y in 0..<height {
                    let to = target.baseAddress! + ((top + y) * side + left) * 3
                    let from = source.baseAddress! + y * rowBytes
                    to.update(from: from, count: rowBytes)
                }
            }
        }
        return canvas
    }
}
