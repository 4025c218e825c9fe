/// Every backward rule, in one place. Each returns one gradient per op input (nil where
/// that input needs none), shaped like the input. Rules run with recording off and use
/// ops and kernels directly.
enum Derivatives {
    static func gradients(_ op: Op, grad g: Tensor, needs: [Bool]) throws -> [Tensor?] {
        switch op {
        case .identity:
            return [g]

        case .reshape(let from):
            return [try g.reshape(from)]

        case .permute(let perm):
            var inverse = [Int](repeating: 0, count: perm.count)
            for (i, p) in perm.enumerated() { inverse[p] = i }
            return [try g.permute(inverse)]

        case let .slice(from, dim, start):
            let out = Tensor.zeros(from)
            try out.region(dim: dim, start: start, length: g.shape[dim]).assign(g)
            return [out]

        case .expand(let from):
            return [try g.sumToShape(from)]

        case let .concat(dim, sizes):
            return try g.split(sizes, dim: dim)

        case let .pad(from, before):
            var view = g
            for (d, (lo, n)) in zip(before, from).enumerated() where view.shape[d] != n {
                view = try view.slice(dim: d, start: lo, end: lo + n)
            }
            return [view]

        case let .indexSelect(dim, indices, from):
            var perm = Array(0..<from.count)
            perm.remove(at: dim)
            perm.insert(dim, at: 0)
            let gFront = try g.permute(perm).kernelInput()
            let table = Tensor.zeros(perm.map { from[$0] })
            backend.scatterAddRows(gFront, indices: indices, into: table)
            var inverse = [Int](repeating: 0, count: perm.count)
            for (i, p) in perm.enumerated() { inverse[p] = i }
            return [try table.permute(inverse)]

        case let .embedding(indices, vocab, dim):
            let table = Tensor.zeros([vocab, dim])
            backend.scatterAddRows(g.kernelInput(), indices: indices, into: table)
            return [table]

        case let .binary(kind, a, b, aShape, bShape):
            switch kind {
            case .add:
                return [needs[0] ? try g.sumToShape(aShape) : nil, needs[1] ? try g.sumToShape(bShape) : nil]
            case .sub:
                return [needs[0] ? try g.sumToShape(aShape) : nil, needs[1] ? try (-g).sumToShape(bShape) : nil]
            case .mul:
                return [needs[0] ? try (g * b!).sumToShape(aShape) : nil,
                        needs[1] ? try (g * a!).sumToShape(bShape) : nil]
            case .div:
                return [needs[0] ? try (g / b!).sumToShape(aShape) : nil,
                        needs[1] ? try (-(g * a!) / b!.square()).sumToShape(bShape) : nil]
            }

        case let .unary(kind, saved):
            let gi = g.kernelInput()
            let out = Tensor(empty: g.shape)
            backend.unaryBackward(kind, saved: saved, grad: gi, into: out)
            return [out]

        case let .sum(from, axes):
            let kept = (0..<from.count).map { axes.contains($0) ? 1 : from[$0] }
            return [try g.reshape(kept).expand(from)]

        case let .max(from, axis, indices):
            let out = Tensor.zeros(from)
            let outer = from[..<axis].reduce(1, *), n = from[axis], inner = from[(axis + 1)...].reduce(1, *)
            let gi = g.kernelInput(), pg = gi.floatPointer, po = out.floatPointer
            let pi = indices.pointer(as: Int32.self)
            for o in 0..<outer {
                for i in 0..<inner { po[(o * n + Int(pi[o * inner + i])) * inner + i] = pg[o * inner + i] }
            }
            return [out]

        case let .matmul(a, b, aShape, bShape):
            let da = needs[0] ? try g.matmul(b!.transposed()).sumToShape(aShape) : nil
            let db = needs[1] ? try a!.transposed().matmul(g).sumToShape(bShape) : nil
            return [da, db]

        case let .linear(x, weight, hasBias):
            let outF = g.shape.last!
            let g2 = try g.kernelInput().reshape([-1, outF])
            var grads: [Tensor?] = []
            if needs[0] {
                let w = weight!
                grads.append(try g2.matmul(w).reshape(Array(g.shape.dropLast()) + [w.shape[1]]))
            } else {
                grads.append(nil)
            }
            if needs[1] {
                let x2 = try x!.reshape([-1, x!.shape.last!])
                grads.append(try g2.transposed().matmul(x2))
            } else {
                grads.append(nil)
            }
            if hasBias { grads.append(needs[2] ? try g2.sum(axes: [0]) : nil) }
            return grads

        case let .loraLinear(x, weight, hasBias, a, b, h, scale, mask, xd):
            // inputs: x, weight, bias?, A, B
            let outF = g.shape.last!, inF = x.shape.last!, r = a.shape[0]
            let rows = g.count / Swift.max(outF, 1)
            let g2 = g.kernelInput()
            let gm = Tensor.matrixView(g2, rows: rows, cols: outF)
            let ia = hasBias ? 3 : 2, ib = ia + 1
            var grads = [Tensor?](repeating: nil, count: ib + 1)
            // dh = scale * g B  [rows, r]
            let dh = Tensor(empty: [rows, r])
            if needs[0] || needs[ia] {
                backend.matmul(gm, Tensor.matrixView(b), into: Tensor.matrixView(dh, rows: rows, cols: r), alpha: scale, beta: 0)
            }
            if needs[0] {
                let dx = Tensor(empty: x.shape)
                let dxm = Tensor.matrixView(dx, rows: rows, cols: inF)
                let w = weight.kernelInput()
                backend.matmul(gm, Tensor.matrixView(w), into: dxm, alpha: 1, beta: 0)
                if let mask {
                    let dl = Tensor(empty: x.shape)
                    backend.matmul(Tensor.matrixView(dh, rows: rows, cols: r), Tensor.matrixView(a), into: Tensor.matrixView(dl, rows: rows, cols: inF), alpha: 1, beta: 0)
                    try dx.addInPlace(dl * mask)
                } else {
                    backend.matmul(Tensor.matrixView(dh, rows: rows, cols: r), Tensor.matrixView(a), into: dxm, alpha: 1, beta: 1)
                }
                grads[0] = dx
            }
            if needs[1] {
                let dw = Tensor(empty: weight.shape)
                backend.matmul(gm.transposedView(), Tensor.matrixView(x, rows: rows, cols: inF), into: Tensor.matrixView(dw), alpha: 1, beta: 0)
                grads[1] = dw
            }
            if hasBias && needs[2] { grads[2] = try g2.reshape([rows, outF]).sum(axes: [0]) }
            if needs[ia] {
                let da = Tensor(empty: a.shape)
                backend.matmul(Tensor.matrixView(dh, rows: rows, cols: r).transposedView(), Tensor.matrixView(xd, rows: rows, cols: inF),
                               into: Tensor.matrixView(da), alpha: 1, beta: 0)
                grads[ia] = da
            }
            if needs[ib] {
                let db = Tensor(empty: b.shape)
                backend.matmul(gm.transposedView(), Tensor.matrixView(h, rows: rows, cols: r), into: Tensor.matrixView(db), alpha: scale, beta: 0)
                grads[ib] = db
            }
            return grads

        case let .softmax(output, log):
            let dx = Tensor(empty: g.shape)
            backend.softmaxBackward(output: output, grad: g.kernelInput(), into: dx, log: log)
            return [dx]

        case let .crossEntropy(logits, targets, ignoreIndex, lse, count):
            let dx = Tensor(empty: logits.shape)
            let scale = count == 0 ? 0 : g.item() / Float(count)
            backend.crossEntropyBackward(logits, targets: targets, ignoreIndex: ignoreIndex, lse: lse, scale: scale, into: dx)
            return [dx]

        case let .layerNorm(x, weight, mean, rstd, hasBias):
            let d = x.shape.last!
            let dx = needs[0] ? Tensor(empty: x.shape) : nil
            let dw = (weight != nil && needs[1]) ? Tensor(empty: [d]) : nil
            let db = (hasBias && needs[needs.count - 1]) ? Tensor(empty: [d]) : nil
            backend.layerNormBackward(x, weight: weight, mean: mean, rstd: rstd, grad: g.kernelInput(), dx: dx, dw: dw, db: db)
            var grads: [Tensor?] = [dx]
            if weight != nil { grads.append(dw) }
            if hasBias { grads.append(db) }
            return grads

        case let .rmsNorm(x, weight, rstd):
            let dx = needs[0] ? Tensor(empty: x.shape) : nil
            let dw = (weight != nil && needs[1]) ? Tensor(empty: [x.shape.last!]) : nil
            backend.rmsNormBackward(x, weight: weight, rstd: rstd, grad: g.kernelInput(), dx: dx, dw: dw)
            return weight != nil ? [dx, dw] : [dx]

        case let .swiglu(gate, up):
            let dg = needs[0] ? Tensor(empty: gate.shape) : nil
            let du = needs[1] ? Tensor(empty: up.shape) : nil
            backend.swigluBackward(gate: gate, up: up, grad: g.kernelInput(), dGate: dg, dUp: du)
            return [dg, du]

        case let .rope(cos, sin):
            let dx = Tensor.heads(g.shape)
            backend.rope(g.headsInput(), cos: cos, sin: sin, transpose: true, into: dx)
            return [dx]

        case let .attention(q, k, v, keyMask, options, output, lse):
            let dq = needs[0] ? Tensor.heads(q.shape) : nil
            let dk = needs[1] ? Tensor.heads(k.shape) : nil
            let dv = needs[2] ? Tensor.heads(v.shape) : nil
            backend.attentionBackward(q: q, k: k, v: v, keyMask: keyMask, options: options, out: output, lse: lse,
                                      grad: g.headsInput(), dq: dq, dk: dk, dv: dv)
            return [dq, dk, dv]

        case let .conv2d(x, weight, hasBias, stride, padding):
            let (b, c, o) = (x.shape[0], x.shape[1], weight.shape[0])
            let (kh, kw) = (weight.shape[2], weight.shape[3])
            let (ho, wo) = (g.shape[2], g.shape[3])
            let ck = c * kh * kw, l = ho * wo
            let g3 = try g.kernelInput().reshape([b, o, l])
            var grads: [Tensor?] = []
            if needs[0] {
                let dcols = try weight.reshape([o, ck]).transposed().matmul(g3)
                let dx = Tensor(empty: x.shape)
                backend.col2im(dcols, kernel: (kh, kw), stride: stride, padding: padding, into: dx)
                grads.append(dx)
            } else {
                grads.append(nil)
            }
            if needs[1] {
                let cols = Tensor(empty: [b, ck, l])
                backend.im2col(x, kernel: (kh, kw), stride: stride, padding: padding, into: cols)
                grads.append(try g3.matmul(cols.transposed()).sum(axes: [0]).reshape(weight.shape))
            } else {
                grads.append(nil)
            }
            if hasBias { grads.append(needs[2] ? try g3.sum(axes: [0, 2]) : nil) }
            return grads

        case let .recompute(input, fn, replay, token):
            // Run the block again with recording on, from a fresh leaf, and backpropagate the
            // incoming gradient through it; parameters inside get their gradients directly.
            let x = input.detached().requiringGrad()
            let current = replay?.capture()
            if let replay, let token { replay.restore(token) }
            defer { if let replay, let current { replay.restore(current) } }
            let y = try GradMode.withGrad { try fn(x) }
            try y.backward(g.kernelInput())
            return [x.grad]

        case let .avgPool2d(from, kernel, stride):
            let dx = Tensor(empty: from)
            backend.avgPool2dBackward(g.kernelInput(), kernel: kernel, stride: stride, into: dx)
            return [dx]
        }
    }
}

extension Tensor {
    /// A raw view of `length` elements from `start` along `dim` (no graph, no checks).
    func region(dim: Int, start: Int, length: Int) -> Tensor {
        var s = shape
        s[dim] = length
        return Tensor(storage: storage, shape: s, strides: strides, offset: offset + start * strides[dim], dtype: dtype)
    }
}
