using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Numerics.Tensors;

namespace GpuEnet.Kernels.Cpu;

/// <summary>
/// Fused vector loops the CPU kernels need and TensorPrimitives does not offer as one pass
/// (a centred three-stream dot, a register-blocked 2 × 4 dot, one-pass moments, a centred axpy). Each reads its inputs once.
/// </summary>
internal static class SimdOps
{
    /// <summary>Σ x_i y_i.</summary>
    public static double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => TensorPrimitives.Dot(x, y);

    /// <summary>
    /// Σ w_i (x_i − c) r_i in one pass. The centre is subtracted per element (exactly, when x_i is near c) rather than as
    /// c·Σ w r afterwards: for a column whose mean is large against its spread (1e9 + N(0, 1)), c·Σ w r with a tracked
    /// Σ w r would amplify every rounding of the residual update by c/sd, and coordinate descent would diverge.
    /// </summary>
    public static double CentredDot3(ReadOnlySpan<double> w, ReadOnlySpan<double> x, double c, ReadOnlySpan<double> r)
    {
        int n = x.Length;
        ref double wr = ref MemoryMarshal.GetReference(w);
        ref double xr = ref MemoryMarshal.GetReference(x);
        ref double rr = ref MemoryMarshal.GetReference(r);
        int width = Vector<double>.Count;
        var cv = new Vector<double>(c);
        var acc0 = Vector<double>.Zero;
        var acc1 = Vector<double>.Zero;
        int i = 0;
        for (; i <= n - (2 * width); i += 2 * width)
        {
            acc0 = Vector.FusedMultiplyAdd(LoadAt(ref wr, i) * (LoadAt(ref xr, i) - cv), LoadAt(ref rr, i), acc0);
            acc1 = Vector.FusedMultiplyAdd(LoadAt(ref wr, i + width) * (LoadAt(ref xr, i + width) - cv), LoadAt(ref rr, i + width), acc1);
        }

        double s = Vector.Sum(acc0 + acc1);
        for (; i < n; i++)
        {
            s += Unsafe.Add(ref wr, i) * (Unsafe.Add(ref xr, i) - c) * Unsafe.Add(ref rr, i);
        }

        return s;
    }

    /// <summary>
    /// The gradient micro-kernel: dots of two columns x0, x1 against four residuals r0..r3 (out[c*4 + k] = Σ x_c,i r_k,i),
    /// eight fused multiply-add chains per step on six loads, so the pass is limited by memory rather than by loads.
    /// </summary>
    public static void Dot2x4(ReadOnlySpan<double> x0, ReadOnlySpan<double> x1, ReadOnlySpan<double> r0, ReadOnlySpan<double> r1,
        ReadOnlySpan<double> r2, ReadOnlySpan<double> r3, Span<double> result)
    {
        int n = x0.Length;
        ref double xa = ref MemoryMarshal.GetReference(x0);
        ref double xb = ref MemoryMarshal.GetReference(x1);
        ref double a = ref MemoryMarshal.GetReference(r0);
        ref double b = ref MemoryMarshal.GetReference(r1);
        ref double c = ref MemoryMarshal.GetReference(r2);
        ref double d = ref MemoryMarshal.GetReference(r3);
        int width = Vector<double>.Count;
        Vector<double> s00 = default, s01 = default, s02 = default, s03 = default;
        Vector<double> s10 = default, s11 = default, s12 = default, s13 = default;
        int i = 0;
        for (; i <= n - width; i += width)
        {
            var u = LoadAt(ref xa, i);
            var v = LoadAt(ref xb, i);
            var ra = LoadAt(ref a, i);
            s00 = Vector.FusedMultiplyAdd(u, ra, s00);
            s10 = Vector.FusedMultiplyAdd(v, ra, s10);
            var rb = LoadAt(ref b, i);
            s01 = Vector.FusedMultiplyAdd(u, rb, s01);
            s11 = Vector.FusedMultiplyAdd(v, rb, s11);
            var rc = LoadAt(ref c, i);
            s02 = Vector.FusedMultiplyAdd(u, rc, s02);
            s12 = Vector.FusedMultiplyAdd(v, rc, s12);
            var rd = LoadAt(ref d, i);
            s03 = Vector.FusedMultiplyAdd(u, rd, s03);
            s13 = Vector.FusedMultiplyAdd(v, rd, s13);
        }

        double t00 = Vector.Sum(s00), t01 = Vector.Sum(s01), t02 = Vector.Sum(s02), t03 = Vector.Sum(s03);
        double t10 = Vector.Sum(s10), t11 = Vector.Sum(s11), t12 = Vector.Sum(s12), t13 = Vector.Sum(s13);
        for (; i < n; i++)
        {
            double u = Unsafe.Add(ref xa, i), v = Unsafe.Add(ref xb, i);
            double ra = Unsafe.Add(ref a, i), rb = Unsafe.Add(ref b, i), rc = Unsafe.Add(ref c, i), rd = Unsafe.Add(ref d, i);
            t00 += u * ra;
            t01 += u * rb;
            t02 += u * rc;
            t03 += u * rd;
            t10 += v * ra;
            t11 += v * rb;
            t12 += v * rc;
            t13 += v * rd;
        }

        result[0] = t00;
        result[1] = t01;
        result[2] = t02;
        result[3] = t03;
        result[4] = t10;
        result[5] = t11;
        result[6] = t12;
        result[7] = t13;
    }

    /// <summary>
    /// The wide gradient micro-kernel, for many residuals: four columns x0..x3 against <paramref name="vectors"/> (1 to 3)
    /// vectors of residuals stored row by row (<paramref name="rows"/>[i·stride + from + l] is residual from + l at row i).
    /// Each row broadcasts one value per column and loads each residual vector once: twelve multiply-add chains on seven
    /// loads, half the residual traffic of <see cref="Dot2x4"/>, and no horizontal sums.
    /// result[c·vectors·W + l] = Σ_i x_c,i · rows[i·stride + from + l].
    /// </summary>
    public static void Columns4(ReadOnlySpan<double> x0, ReadOnlySpan<double> x1, ReadOnlySpan<double> x2, ReadOnlySpan<double> x3,
        ReadOnlySpan<double> rows, int stride, int from, int vectors, Span<double> result)
    {
        int n = x0.Length;
        int width = Vector<double>.Count;
        ref double a = ref MemoryMarshal.GetReference(x0);
        ref double b = ref MemoryMarshal.GetReference(x1);
        ref double c = ref MemoryMarshal.GetReference(x2);
        ref double d = ref MemoryMarshal.GetReference(x3);
        ref double r = ref MemoryMarshal.GetReference(rows);
        Vector<double> s00 = default, s01 = default, s02 = default;
        Vector<double> s10 = default, s11 = default, s12 = default;
        Vector<double> s20 = default, s21 = default, s22 = default;
        Vector<double> s30 = default, s31 = default, s32 = default;
        if (vectors == 3)
        {
            for (int i = 0; i < n; i++)
            {
                int at = (i * stride) + from;
                var r0 = LoadAt(ref r, at);
                var r1 = LoadAt(ref r, at + width);
                var r2 = LoadAt(ref r, at + (2 * width));
                var u = new Vector<double>(Unsafe.Add(ref a, i));
                s00 = Vector.FusedMultiplyAdd(u, r0, s00);
                s01 = Vector.FusedMultiplyAdd(u, r1, s01);
                s02 = Vector.FusedMultiplyAdd(u, r2, s02);
                u = new Vector<double>(Unsafe.Add(ref b, i));
                s10 = Vector.FusedMultiplyAdd(u, r0, s10);
                s11 = Vector.FusedMultiplyAdd(u, r1, s11);
                s12 = Vector.FusedMultiplyAdd(u, r2, s12);
                u = new Vector<double>(Unsafe.Add(ref c, i));
                s20 = Vector.FusedMultiplyAdd(u, r0, s20);
                s21 = Vector.FusedMultiplyAdd(u, r1, s21);
                s22 = Vector.FusedMultiplyAdd(u, r2, s22);
                u = new Vector<double>(Unsafe.Add(ref d, i));
                s30 = Vector.FusedMultiplyAdd(u, r0, s30);
                s31 = Vector.FusedMultiplyAdd(u, r1, s31);
                s32 = Vector.FusedMultiplyAdd(u, r2, s32);
            }
        }
        else
        {
            bool two = vectors == 2;
            for (int i = 0; i < n; i++)
            {
                int at = (i * stride) + from;
                var r0 = LoadAt(ref r, at);
                var r1 = two ? LoadAt(ref r, at + width) : default;
                var u = new Vector<double>(Unsafe.Add(ref a, i));
                s00 = Vector.FusedMultiplyAdd(u, r0, s00);
                s01 = Vector.FusedMultiplyAdd(u, r1, s01);
                u = new Vector<double>(Unsafe.Add(ref b, i));
                s10 = Vector.FusedMultiplyAdd(u, r0, s10);
                s11 = Vector.FusedMultiplyAdd(u, r1, s11);
                u = new Vector<double>(Unsafe.Add(ref c, i));
                s20 = Vector.FusedMultiplyAdd(u, r0, s20);
                s21 = Vector.FusedMultiplyAdd(u, r1, s21);
                u = new Vector<double>(Unsafe.Add(ref d, i));
                s30 = Vector.FusedMultiplyAdd(u, r0, s30);
                s31 = Vector.FusedMultiplyAdd(u, r1, s31);
            }
        }

        int row = vectors * width;
        Store(result, 0, row, width, vectors, s00, s01, s02);
        Store(result, row, row, width, vectors, s10, s11, s12);
        Store(result, 2 * row, row, width, vectors, s20, s21, s22);
        Store(result, 3 * row, row, width, vectors, s30, s31, s32);
    }

    private static void Store(Span<double> result, int at, int row, int width, int vectors, Vector<double> v0, Vector<double> v1, Vector<double> v2)
    {
        var target = result.Slice(at, row);
        v0.CopyTo(target);
        if (vectors > 1)
        {
            v1.CopyTo(target[width..]);
        }

        if (vectors > 2)
        {
            v2.CopyTo(target[(2 * width)..]);
        }
    }

    /// <summary>Σ w_i x_i and Σ w_i (x_i − c)² in one pass.</summary>
    public static (double Sum, double Squares) WeightedMoments(ReadOnlySpan<double> w, ReadOnlySpan<double> x, double c)
    {
        int n = x.Length;
        ref double wr = ref MemoryMarshal.GetReference(w);
        ref double xr = ref MemoryMarshal.GetReference(x);
        int width = Vector<double>.Count;
        var cv = new Vector<double>(c);
        Vector<double> s1 = default, s2 = default;
        int i = 0;
        for (; i <= n - width; i += width)
        {
            var wv = LoadAt(ref wr, i);
            var xv = LoadAt(ref xr, i);
            var dv = xv - cv;
            s1 = Vector.FusedMultiplyAdd(wv, xv, s1);
            s2 = Vector.FusedMultiplyAdd(wv * dv, dv, s2);
        }

        double t1 = Vector.Sum(s1), t2 = Vector.Sum(s2);
        for (; i < n; i++)
        {
            double wv = Unsafe.Add(ref wr, i), xv = Unsafe.Add(ref xr, i), dv = xv - c;
            t1 += wv * xv;
            t2 += wv * dv * dv;
        }

        return (t1, t2);
    }

    /// <summary>r_i ← r_i − a·(x_i − c), in place (the centre subtracted per element, see <see cref="CentredDot3"/>).</summary>
    public static void AxpyCentred(Span<double> r, ReadOnlySpan<double> x, double a, double c)
    {
        int n = r.Length;
        ref double rr = ref MemoryMarshal.GetReference(r);
        ref double xr = ref MemoryMarshal.GetReference(x);
        int width = Vector<double>.Count;
        var av = new Vector<double>(a);
        var cv = new Vector<double>(c);
        int i = 0;
        for (; i <= n - width; i += width)
        {
            var v = Vector.FusedMultiplyAdd(-av, LoadAt(ref xr, i) - cv, LoadAt(ref rr, i));
            v.StoreUnsafe(ref rr, (nuint)i);
        }

        for (; i < n; i++)
        {
            Unsafe.Add(ref rr, i) -= a * (Unsafe.Add(ref xr, i) - c);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<double> LoadAt(ref double source, int offset) => Vector.LoadUnsafe(ref source, (nuint)offset);

    /// <summary>
    /// row[d] += (w·(x[d] − xi)²)·mask[d] for every d (mask null: 1), in that operation order, so the result is bitwise the
    /// scalar loop's (what the ILGPU kernel computes, skipping masked rows).
    /// </summary>
    public static void AddWeightedSquaredDistance(Span<double> row, ReadOnlySpan<double> x, double xi, double w, double[]? mask)
    {
        int n = row.Length;
        int d = 0;
        var vi = new Vector<double>(xi);
        var vw = new Vector<double>(w);
        for (; d + Vector<double>.Count <= n; d += Vector<double>.Count)
        {
            var diff = new Vector<double>(x[d..]) - vi;
            var term = vw * (diff * diff);
            if (mask is not null)
            {
                term *= new Vector<double>(mask.AsSpan(d));
            }

            (new Vector<double>(row[d..]) + term).CopyTo(row[d..]);
        }

        for (; d < n; d++)
        {
            double diff = x[d] - xi;
            double term = w * (diff * diff);
            row[d] += mask is null ? term : term * mask[d];
        }
    }

    /// <summary>
    /// Asks the cache hierarchy for every line of <paramref name="x"/> without waiting for it: issued one coordinate ahead,
    /// the next column arrives while the current one is computed (a column of 100 doubles otherwise costs a memory round
    /// trip of 2–3× its arithmetic).
    /// </summary>
    public static unsafe void Prefetch(ReadOnlySpan<double> x)
    {
        if (!System.Runtime.Intrinsics.X86.Sse.IsSupported || x.IsEmpty)
        {
            return;
        }

        fixed (double* start = x)
        {
            byte* at = (byte*)start, end = (byte*)(start + x.Length);
            for (; at < end; at += 64)
            {
                System.Runtime.Intrinsics.X86.Sse.Prefetch0(at);
            }
        }
    }
}
