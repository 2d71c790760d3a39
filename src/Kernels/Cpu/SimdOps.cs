using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Numerics.Tensors;

namespace GpuEnet.Kernels.Cpu;

/// <summary>
/// Fused vector loops the CPU kernels need and TensorPrimitives does not offer as one pass
/// (a three-stream dot, four dots sharing one x, an axpy with a constant shift). Each reads its inputs once.
/// </summary>
internal static class SimdOps
{
    /// <summary>Σ x_i y_i.</summary>
    public static double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => TensorPrimitives.Dot(x, y);

    /// <summary>Σ w_i x_i r_i in one pass.</summary>
    public static double Dot3(ReadOnlySpan<double> w, ReadOnlySpan<double> x, ReadOnlySpan<double> r)
    {
        int n = x.Length;
        ref double wr = ref MemoryMarshal.GetReference(w);
        ref double xr = ref MemoryMarshal.GetReference(x);
        ref double rr = ref MemoryMarshal.GetReference(r);
        int width = Vector<double>.Count;
        var acc0 = Vector<double>.Zero;
        var acc1 = Vector<double>.Zero;
        int i = 0;
        for (; i <= n - (2 * width); i += 2 * width)
        {
            acc0 += LoadAt(ref wr, i) * LoadAt(ref xr, i) * LoadAt(ref rr, i);
            acc1 += LoadAt(ref wr, i + width) * LoadAt(ref xr, i + width) * LoadAt(ref rr, i + width);
        }

        double s = Vector.Sum(acc0 + acc1);
        for (; i < n; i++)
        {
            s += Unsafe.Add(ref wr, i) * Unsafe.Add(ref xr, i) * Unsafe.Add(ref rr, i);
        }

        return s;
    }

    /// <summary>Four dots of one x against r0..r3, reading x once: out[k] = Σ x_i r_k,i.</summary>
    public static void Dot4(ReadOnlySpan<double> x, ReadOnlySpan<double> r0, ReadOnlySpan<double> r1,
        ReadOnlySpan<double> r2, ReadOnlySpan<double> r3, Span<double> result)
    {
        int n = x.Length;
        ref double xr = ref MemoryMarshal.GetReference(x);
        ref double a = ref MemoryMarshal.GetReference(r0);
        ref double b = ref MemoryMarshal.GetReference(r1);
        ref double c = ref MemoryMarshal.GetReference(r2);
        ref double d = ref MemoryMarshal.GetReference(r3);
        int width = Vector<double>.Count;
        Vector<double> s0 = default, s1 = default, s2 = default, s3 = default;
        int i = 0;
        for (; i <= n - width; i += width)
        {
            var xv = LoadAt(ref xr, i);
            s0 += xv * LoadAt(ref a, i);
            s1 += xv * LoadAt(ref b, i);
            s2 += xv * LoadAt(ref c, i);
            s3 += xv * LoadAt(ref d, i);
        }

        double t0 = Vector.Sum(s0), t1 = Vector.Sum(s1), t2 = Vector.Sum(s2), t3 = Vector.Sum(s3);
        for (; i < n; i++)
        {
            double xv = Unsafe.Add(ref xr, i);
            t0 += xv * Unsafe.Add(ref a, i);
            t1 += xv * Unsafe.Add(ref b, i);
            t2 += xv * Unsafe.Add(ref c, i);
            t3 += xv * Unsafe.Add(ref d, i);
        }

        result[0] = t0;
        result[1] = t1;
        result[2] = t2;
        result[3] = t3;
    }

    /// <summary>r_i ← r_i − a·x_i + b, in place.</summary>
    public static void AxpyShift(Span<double> r, ReadOnlySpan<double> x, double a, double b)
    {
        int n = r.Length;
        ref double rr = ref MemoryMarshal.GetReference(r);
        ref double xr = ref MemoryMarshal.GetReference(x);
        int width = Vector<double>.Count;
        var av = new Vector<double>(a);
        var bv = new Vector<double>(b);
        int i = 0;
        for (; i <= n - width; i += width)
        {
            var v = LoadAt(ref rr, i) - (av * LoadAt(ref xr, i)) + bv;
            v.StoreUnsafe(ref rr, (nuint)i);
        }

        for (; i < n; i++)
        {
            Unsafe.Add(ref rr, i) = Unsafe.Add(ref rr, i) - (a * Unsafe.Add(ref xr, i)) + b;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<double> LoadAt(ref double source, int offset) => Vector.LoadUnsafe(ref source, (nuint)offset);
}
