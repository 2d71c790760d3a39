using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;

namespace GpuEnet.Kernels.Cpu;

/// <summary>
/// One batched gradient pass of the CPU backend: G[b, k] = inverse scale · (x_jᵀ r_b − centre · Σ r_b + fill · Σ_missing
/// r_b + the imputed cells' share) for the listed columns j = columns[k] (all p when the list is empty). Built once per
/// call (the residuals in the layouts the kernels read), then run block by block of columns on the worker threads.
/// </summary>
/// <remarks>
/// Columns are read in one of two ways. Decoded to float64 (every storage): four columns at a time against many
/// residuals stored row by row (<see cref="SimdOps.Columns4"/>), two at a time against four residuals otherwise
/// (<see cref="SimdOps.Dot2x4"/>). Or, for 2-bit genotypes where a column's most common value covers most rows, from
/// the codes (<see cref="PackedDots"/>), visiting only the other rows.
/// </remarks>
internal sealed unsafe class GradientPass
{
    // Residual vectors from which the decoded path uses the four-column broadcast kernel (below, the two-column dot
    // kernel). Measured (bench/results/micro-amd-epyc-2core.md): at n = 1000 it takes 22 % less time for B = 16 and 33; at
    // n = 100 the per-column work around the kernel dominates and the dot kernel is as fast or faster, so short columns
    // keep it.
    private const int WideKernelMinimum = 2;
    private const int WideKernelRows = 256;

    // Bytes of residual rows one block of DecodedByRowBlocks reads (half of this machine's 512 KiB per-core cache).
    private const int ResidualBlockBytes = 256 << 10;


    private readonly IColumnSource _source;
    private readonly int[]? _columns;
    private readonly int _count;
    private readonly int _batch;
    private readonly int _n;
    private readonly double[] _r;
    private readonly double[] _rSum;
    private readonly ColumnTransform? _transform;
    private readonly double* _output;
    private readonly bool _hasMissing;

    // The first `_wide` residuals (a whole number of vectors), row by row, for Columns4 and the missing-row sums.
    private readonly int _wide;
    private readonly double[] _rows;

    // For reading codes: every residual row by row over the source's stored rows (zeros for rows not exposed), `_stride`
    // per row; null when codes are not read.
    private readonly IPackedColumnSource? _packed;
    private readonly double[]? _storedRows;
    private readonly int _stride;

    /// <param name="source">X.</param>
    /// <param name="columns">The columns to compute, or null for all.</param>
    /// <param name="count">How many (p when <paramref name="columns"/> is null).</param>
    /// <param name="residuals">B residual vectors of n, one after another.</param>
    /// <param name="batch">B.</param>
    /// <param name="transform">The column transform, or null for raw dots x_jᵀ r_b.</param>
    /// <param name="output">B × count results, residual-major, pinned by the caller for the pass.</param>
    public GradientPass(IColumnSource source, int[]? columns, int count, double[] residuals, int batch, ColumnTransform? transform,
        double* output)
    {
        _source = source;
        _columns = columns;
        _count = count;
        _batch = batch;
        _n = source.Rows;
        _r = residuals;
        _transform = transform;
        _output = output;
        _hasMissing = source.HasMissing;
        int n = _n;
        _rSum = new double[batch];
        for (int b = 0; b < batch; b++)
        {
            _rSum[b] = TensorPrimitives.Sum(residuals.AsSpan(b * n, n));
        }

        // Many residuals go into row-major order, `wide` (a whole number of vectors) per row, for the four-column
        // broadcast kernel. A remainder of one residual is left to plain dots; a larger one is padded with zero residuals
        // instead (a dot per residual costs about twice the kernel's share, so padding 2 or 3 columns wastes less).
        // Few residuals, or short columns, use the two-column dot kernel throughout.
        int width = Vector<double>.Count;
        int remainder = batch % width;
        _wide = batch < WideKernelMinimum * width || n < WideKernelRows ? 0
            : remainder * 3 > width ? batch + width - remainder : batch - remainder;
        _rows = _wide > 0 ? new double[(long)n * _wide] : [];
        for (int b = 0; b < Math.Min(_wide, batch); b++)
        {
            for (int i = 0; i < n; i++)
            {
                _rows[((long)i * _wide) + b] = residuals[((long)b * n) + i];
            }
        }

        _stride = (batch + width - 1) / width * width;
        // Genotype codes are read for many residuals only: for a few, a decoded column is a single dot, and counting each
        // column's values costs more than the visited rows save (measured at B = 1: 8.2 → 9.5–10.6 ms on common variants,
        // 8.2 → 7.4 ms on rare ones; bench/results/packed-gradient-epyc-2core.md).
        if (source is IPackedColumnSource packed && _wide > 0 && Vector.IsHardwareAccelerated && (long)packed.StoredRows * _stride <= Array.MaxLength)
        {
            _packed = packed;
            _storedRows = StoredRowMajor(packed, residuals, batch, _stride);
        }
    }

    /// <summary>Scratch doubles one block needs (<see cref="Block"/>'s <c>scratch</c>).</summary>
    public int ScratchLength => 4 * Math.Max(_n, _packed?.StoredRows ?? 0);

    /// <summary>Computes the columns [<paramref name="start"/>, <paramref name="end"/>) of the list.</summary>
    public void Block(int start, int end, double[] scratch)
    {
        int blockColumns = end - start;
        int[] decoded = ArrayPool<int>.Shared.Rent(blockColumns);
        try
        {
            int toDecode = 0;
            for (int k = start; k < end; k++)
            {
                if (!FromCodes(k))
                {
                    decoded[toDecode++] = k;
                }
            }

            if (_packed is not null)
            {
                DecodedByRowBlocks(decoded.AsSpan(0, toDecode), scratch);
            }
            else
            {
                Decoded(decoded.AsSpan(0, toDecode), scratch);
            }

            if (_transform is not null)
            {
                TransformBlock(start, end);
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(decoded);
        }
    }

    private int Column(int k) => _columns is null ? k : _columns[k];

    // Column k from its codes when it has them and its most common value covers enough rows; false to decode it.
    private bool FromCodes(int k)
    {
        if (_packed is null)
        {
            return false;
        }

        var codes = _packed.Codes(Column(k));
        int stored = _packed.StoredRows;
        var (major, visited) = PackedDots.Majority(codes, stored);
        if (visited > PackedDots.CodedShare * stored)
        {
            return false;
        }

        // Σ x r = major · Σ r + (v − major) · Σ_{x = v} r over the two other values v.
        var (first, second) = PackedDots.Others(major);
        Span<double> firstSums = stackalloc double[_stride];
        Span<double> secondSums = stackalloc double[_stride];
        int[] rows = ArrayPool<int>.Shared.Rent(visited);
        try
        {
            fixed (double* residuals = _storedRows)
            {
                int listed = PackedDots.RowsOf(codes, stored, first, rows);
                PackedDots.RowSums(rows.AsSpan(0, listed), residuals, _stride, firstSums);
                PackedDots.RowSums(rows.AsSpan(0, PackedDots.RowsOf(codes, stored, second, rows)), residuals, _stride, secondSums);
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(rows);
        }

        for (int b = 0; b < _batch; b++)
        {
            _output[((long)b * _count) + k] = (major * _rSum[b]) + ((first - major) * firstSums[b]) + ((second - major) * secondSums[b]);
        }

        return true;
    }

    // Raw dots of the listed positions' columns, decoded to float64.
    private void Decoded(ReadOnlySpan<int> positions, double[] scratch)
    {
        int n = _n, batch = _batch, count = _count, wide = _wide;
        int width = Vector<double>.Count;
        double* g = _output;
        Span<double> eight = stackalloc double[8];
        Span<double> block = stackalloc double[4 * 3 * width];
        var ra = _r.AsSpan();
        var scratchA = scratch.AsSpan(0, n);
        var scratchB = scratch.AsSpan(n, n);
        int t = 0;
        for (; wide > 0 && t + 4 <= positions.Length; t += 4)
        {
            var x0 = _source.Column(Column(positions[t]), scratchA);
            var x1 = _source.Column(Column(positions[t + 1]), scratchB);
            var x2 = _source.Column(Column(positions[t + 2]), scratch.AsSpan(2 * n, n));
            var x3 = _source.Column(Column(positions[t + 3]), scratch.AsSpan(3 * n, n));
            for (int from = 0; from < wide; from += 3 * width)
            {
                int vectors = Math.Min(3, (wide - from) / width);
                int span = vectors * width;
                SimdOps.Columns4(x0, x1, x2, x3, _rows, wide, from, vectors, block);
                int real = Math.Min(span, batch - from);
                for (int c = 0; c < 4; c++)
                {
                    for (int l = 0; l < real; l++)
                    {
                        g[((long)(from + l) * count) + positions[t + c]] = block[(c * span) + l];
                    }
                }
            }

            for (int b = wide; b < batch; b++)
            {
                var rb = ra.Slice(b * n, n);
                g[((long)b * count) + positions[t]] = SimdOps.Dot(x0, rb);
                g[((long)b * count) + positions[t + 1]] = SimdOps.Dot(x1, rb);
                g[((long)b * count) + positions[t + 2]] = SimdOps.Dot(x2, rb);
                g[((long)b * count) + positions[t + 3]] = SimdOps.Dot(x3, rb);
            }
        }

        // Two columns at a time against four residuals at a time: the register-blocked micro-kernel.
        for (; t + 2 <= positions.Length; t += 2)
        {
            int k0 = positions[t], k1 = positions[t + 1];
            var x0 = _source.Column(Column(k0), scratchA);
            var x1 = _source.Column(Column(k1), scratchB);
            int b = 0;
            for (; b + 4 <= batch; b += 4)
            {
                SimdOps.Dot2x4(x0, x1, ra.Slice(b * n, n), ra.Slice((b + 1) * n, n), ra.Slice((b + 2) * n, n), ra.Slice((b + 3) * n, n), eight);
                for (int q = 0; q < 4; q++)
                {
                    g[((long)(b + q) * count) + k0] = eight[q];
                    g[((long)(b + q) * count) + k1] = eight[4 + q];
                }
            }

            for (; b < batch; b++)
            {
                var rb = ra.Slice(b * n, n);
                g[((long)b * count) + k0] = SimdOps.Dot(x0, rb);
                g[((long)b * count) + k1] = SimdOps.Dot(x1, rb);
            }
        }

        for (; t < positions.Length; t++)
        {
            var x = _source.Column(Column(positions[t]), scratchA);
            for (int b = 0; b < batch; b++)
            {
                g[((long)b * count) + positions[t]] = SimdOps.Dot(x, ra.Slice(b * n, n));
            }
        }
    }

    // Raw dots of the listed positions' genotype columns against many residuals, decoded from their codes block of rows by
    // block of rows: the residual rows of one block (a quarter of a megabyte) stay in the core's cache while every
    // column of the list passes over them, instead of all n × B residuals streaming from the shared cache for every four
    // columns (at n = 5,000 and B = 33 they are 1.4 MB, more than the core's cache holds).
    private void DecodedByRowBlocks(ReadOnlySpan<int> positions, double[] scratch)
    {
        var packed = _packed!;
        int stored = packed.StoredRows, stride = _stride, width = Vector<double>.Count;
        int rowBlock = Math.Clamp(ResidualBlockBytes / (stride * sizeof(double)) / 32 * 32, 32, (stored + 3) / 4 * 4);
        int m = positions.Length;
        double[] sums = ArrayPool<double>.Shared.Rent(Math.Max(1, m * stride));
        Span<double> block = stackalloc double[4 * 3 * width];
        try
        {
            sums.AsSpan(0, m * stride).Clear();
            for (int first = 0; first < stored; first += rowBlock)
            {
                int rows = Math.Min(rowBlock, stored - first);
                var residualRows = _storedRows.AsSpan(first * stride, rows * stride);
                for (int t = 0; t < m; t += 4)
                {
                    for (int c = 0; c < 4; c++)
                    {
                        var x = scratch.AsSpan(c * rowBlock, rows);
                        if (t + c < m)
                        {
                            GenotypeCodes.Decode(packed.Codes(Column(positions[t + c])), first, x);
                        }
                        else
                        {
                            x.Clear();
                        }
                    }

                    for (int from = 0; from < stride; from += 3 * width)
                    {
                        int vectors = Math.Min(3, (stride - from) / width);
                        int span = vectors * width;
                        SimdOps.Columns4(scratch.AsSpan(0, rows), scratch.AsSpan(rowBlock, rows), scratch.AsSpan(2 * rowBlock, rows),
                            scratch.AsSpan(3 * rowBlock, rows), residualRows, stride, from, vectors, block);
                        for (int c = 0; c < 4 && t + c < m; c++)
                        {
                            var target = sums.AsSpan(((t + c) * stride) + from, span);
                            TensorPrimitives.Add(target, block.Slice(c * span, span), target);
                        }
                    }
                }
            }

            for (int t = 0; t < m; t++)
            {
                for (int b = 0; b < _batch; b++)
                {
                    _output[((long)b * _count) + positions[t]] = sums[(t * stride) + b];
                }
            }
        }
        finally
        {
            ArrayPool<double>.Shared.Return(sums);
        }
    }

    // g ← inverse scale · (raw − centre · Σ r + fill · Σ_missing r + the imputed cells' own share) for the block, residual
    // by residual, so that the output row and the transform arrays are read in order (column by column they would touch B
    // cache lines at stride p for every column).
    private void TransformBlock(int start, int end)
    {
        var transform = _transform!;
        int n = _n, p = _source.Columns, batch = _batch;
        double[] missingSums = _hasMissing ? ArrayPool<double>.Shared.Rent((end - start) * batch) : [];
        try
        {
            for (int k = start; _hasMissing && k < end; k++)
            {
                MissingSums(_source.MissingRows(Column(k)), missingSums.AsSpan((k - start) * batch, batch));
            }

            var inverseScale = transform.InverseScale;
            var centre = transform.Centre;
            var fill = transform.Fill;
            var cells = transform.Cells;
            for (int b = 0; b < batch; b++)
            {
                int problem = transform.Problem(b);
                long offset = (long)problem * p;
                double shift = _rSum[b];
                double* row = _output + ((long)b * _count);
                var rb = _r.AsSpan(b * n, n);
                for (int k = start; k < end; k++)
                {
                    long at = offset + Column(k);
                    double missingSum = _hasMissing ? missingSums[((k - start) * batch) + b] : 0;
                    double cellSum = cells is null ? 0 : cells.Dot(problem, Column(k), rb);
                    row[k] = inverseScale[at] * (row[k] - (centre[at] * shift) + (fill[at] * missingSum) + cellSum);
                }
            }
        }
        finally
        {
            if (_hasMissing)
            {
                ArrayPool<double>.Shared.Return(missingSums);
            }
        }
    }

    // sums[b] = Σ_{i ∈ missing} r_b,i: from the row-major copy a missing row adds all its residuals with vector adds,
    // instead of one scattered read per residual; the residuals beyond it one by one.
    private void MissingSums(ReadOnlySpan<int> missing, Span<double> sums)
    {
        if (_storedRows is not null && !missing.IsEmpty)
        {
            StoredMissingSums(missing, sums);
            return;
        }

        sums.Clear();
        int n = _n, batch = sums.Length;
        int inRows = Math.Min(_wide, batch);
        if (inRows > 0)
        {
            var acc = sums[..inRows];
            foreach (int i in missing)
            {
                TensorPrimitives.Add(acc, _rows.AsSpan(i * _wide, inRows), acc);
            }
        }

        for (int b = inRows; b < batch; b++)
        {
            double sum = 0;
            foreach (int i in missing)
            {
                sum += _r[(b * n) + i];
            }

            sums[b] = sum;
        }
    }

    // The same sums from the residuals stored row by row (PackedDots with weight 1 on every missing row): one call per
    // column instead of one small vector add per missing row.
    private void StoredMissingSums(ReadOnlySpan<int> missing, Span<double> sums)
    {
        var storedRowOf = _packed!.StoredRowOf;
        int[] rows = ArrayPool<int>.Shared.Rent(missing.Length);
        Span<double> all = stackalloc double[_stride];
        try
        {
            for (int t = 0; t < missing.Length; t++)
            {
                rows[t] = storedRowOf.IsEmpty ? missing[t] : storedRowOf[missing[t]];
            }

            fixed (double* residuals = _storedRows)
            {
                PackedDots.RowSums(rows.AsSpan(0, missing.Length), residuals, _stride, all);
            }

            all[..sums.Length].CopyTo(sums);
        }
        finally
        {
            ArrayPool<int>.Shared.Return(rows);
        }
    }

    // Residuals row by row over the stored rows, `stride` per row (zeros past B and in rows that are not exposed).
    private static double[] StoredRowMajor(IPackedColumnSource packed, double[] r, int batch, int stride)
    {
        int n = packed.Rows;
        var rows = GC.AllocateArray<double>(packed.StoredRows * stride, pinned: true);
        var storedRowOf = packed.StoredRowOf;
        for (int i = 0; i < n; i++)
        {
            long at = (long)(storedRowOf.IsEmpty ? i : storedRowOf[i]) * stride;
            for (int b = 0; b < batch; b++)
            {
                rows[at + b] = r[((long)b * n) + i];
            }
        }

        return rows;
    }
}
