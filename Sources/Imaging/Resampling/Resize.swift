extension RGBImage {
    /// This image scaled to `width` x `height`, pixel for pixel what Pillow's
    /// `Image.resize((width, height), resample=filter)` returns for an RGB image (with the
    /// default `reducing_gap=None`, as transformers calls it).
    ///
    /// Pillow's convolution filters run as two separable passes in 8-bit fixed point (see
    /// `ResampleKernel`), rounding and clipping to 0...255 between them, so the order of the
    /// passes shows in the pixels; `passOrder` picks which Pillow to agree with. An axis whose
    /// size does not change is not filtered at all, and the same size returns the image.
    public func resized(width: Int, height: Int, filter: ResampleFilter = .bicubic,
                        passOrder: ResamplePassOrder = .pillow13) -> RGBImage {
        resized(width: width, height: height, columns: 0 ..< width, rows: 0 ..< height,
                filter: filter, passOrder: passOrder)
    }

    /// The window `columns` x `rows` of this image scaled to `width` x `height`: the same
    /// pixels as resizing then cropping, but only the window's pixels are computed (each
    /// output pixel depends only on its own row and column weights). A centre crop after a
    /// shortest-edge resize needs this: a 1 x 2000 banner would otherwise be scaled to
    /// 336 x 672000 pixels first.
    func resized(width: Int, height: Int, columns: Range<Int>, rows: Range<Int>,
                 filter: ResampleFilter, passOrder: ResamplePassOrder) -> RGBImage {
        precondition(width > 0 && height > 0, "resized: size must be positive, not \(width) x \(height)")
        precondition(self.width > 0 && self.height > 0, "resized: cannot resize an empty image")
        precondition(columns.lowerBound >= 0 && columns.upperBound <= width && !columns.isEmpty &&
                     rows.lowerBound >= 0 && rows.upperBound <= height && !rows.isEmpty,
                     "resized: window outside the \(width) x \(height) output")
        if filter == .nearest {
            return nearestNeighbourResized(width: width, height: height, columns: columns, rows: rows)
        }
        let horizontal = width == self.width ? nil
            : ResampleKernel(inputSize: self.width, outputSize: width, outputs: columns, filter: filter)
        let vertical = height == self.height ? nil
            : ResampleKernel(inputSize: self.height, outputSize: height, outputs: rows, filter: filter)

        if let horizontal, let vertical,
           passOrder.verticalFirst(from: (self.width, self.height), to: (width, height)) {
            // The height shrinks (much more than the width), so the horizontal pass then runs
            // over fewer rows.
            let shorter = ResamplePasses.vertical(self, rowOffset: 0, kernel: vertical)
            return ResamplePasses.horizontal(shorter, rows: 0 ..< shorter.height, kernel: horizontal)
        }
        // Horizontal first, over only the input rows the vertical pass reads.
        let inputRows = vertical?.inputsRead ?? rows
        let narrower = horizontal.map { ResamplePasses.horizontal(self, rows: inputRows, kernel: $0) }
            ?? cropped(columns: columns, rows: inputRows)
        guard let vertical else { return narrower }
        return ResamplePasses.vertical(narrower, rowOffset: inputRows.lowerBound, kernel: vertical)
    }

    /// The pixels in `columns` x `rows`, which must lie inside the image.
    func cropped(columns: Range<Int>, rows: Range<Int>) -> RGBImage {
        if columns == 0 ..< width && rows == 0 ..< height { return self }
        var output = [UInt8](repeating: 0, count: columns.count * rows.count * 3)
        output.withUnsafeMutableBufferPointer { target in
            pixels.withUnsafeBufferPointer { source in
                for (r, y) in rows.enumerated() {
                    let to = target.baseAddress! + r * columns.count * 3
                    let from = source.baseAddress! + (y * width + columns.lowerBound) * 3
                    to.update(from: from, count: columns.count * 3)
                }
            }
        }
        return RGBImage(width: columns.count, height: rows.count, pixels: output)
    }

    /// Pillow's NEAREST resize (`ImagingScaleAffine`): output pixel `i` takes input
    /// `floor(scale / 2 + i * scale)`, with the position accumulated by repeated addition
    /// exactly as Pillow does, so rounding ties land on the same pixels.
    private func nearestNeighbourResized(width: Int, height: Int, columns: Range<Int>,
                                         rows: Range<Int>) -> RGBImage {
        func sourceIndices(input: Int, output: Int) -> [Int] {
            let step = Double(Float(input)) / Double(output)
            var position = step * 0.5
            var indices = [Int](repeating: 0, count: output)
            for i in 0..<output {
                indices[i] = min(max(Int(position), 0), input - 1)
                position += step
            }
            return indices
        }
        let sourceColumns = sourceIndices(input: self.width, output: width)
        let sourceRows = sourceIndices(input: self.height, output: height)
        var pixels = [UInt8](repeating: 0, count: columns.count * rows.count * 3)
        var target = 0
        for y in rows {
            let sourceRow = sourceRows[y] * self.width * 3
            for x in columns {
                let source = sourceRow + sourceColumns[x] * 3
                pixels[target] = self.pixels[source]
                pixels[target + 1] = self.pixels[source + 1]
                pixels[target + 2] = self.pixels[source + 2]
                target += 3
            }
        }
        return RGBImage(width: columns.count, height: rows.count, pixels: pixels)
    }
}
