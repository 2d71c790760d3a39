using System.Numerics;
using System.Runtime.CompilerServices;

namespace GpuEnet.Kernels.Cpu;

/// <summary>
/// Dots of one 2-bit genotype column with many residuals, read from the codes without decoding them (the gradient pass
/// over PLINK data). A column holds three values (0, 1, 2; a missing call reads 0), so
/// <c>Σ_i x_i r_i = v_m·Σ_i r_i + Σ_{x_i ≠ v_m} (x_i − v_m)·r_i</c> where v_m is the column's most common value: only the
/// other rows are visited, found 32 at a time with bit masks over the codes (<see cref="RowsOf"/>, once per other
/// value), each adding its row of residuals (<see cref="RowSums"/>). A variant of minor-allele frequency f has about 2f of its rows visited (a
/// rare variant almost none), where the decoded path decodes and multiplies every row; a column is read this way when
/// at most <see cref="CodedShare"/> of its rows are visited.
/// </summary>
/// <remarks>
/// Masks over a little-endian word of codes (row s of the word in bits 2s, 2s+1; <c>L</c> = 0x5555…): value 0 (codes 3
/// and 1, dosage 0 and missing) is <c>x &amp; L</c>; value 1 (code 2) is <c>~x &amp; (x &gt;&gt; 1) &amp; L</c>; value 2
/// (code 0) is <c>~x &amp; ~(x &gt;&gt; 1) &amp; L</c>. Padding codes past the last row are masked off.
/// The sums are taken in row order, so a column's result does not depend on which thread or rank computes it.
/// </remarks>
internal static unsafe class PackedDots
{
    /// <summary>
    /// The share of a column's rows that may hold a value other than its most common one for the column to be read this
    /// way rather than decoded (the gradient pass and <see cref="SparseGenotypes"/> in the descent). Measured in
    /// bench/results/packed-gradient-epyc-2core.md: 0.15–0.35 within noise of each other, every column (1) up to 2.6×
    /// slower than decoding on common variants.
    /// </summary>
    public const double CodedShare = 0.25;

    /// <summary>
    /// Counts column <paramref name="codes"/>' rows of each value and returns the most common value and how many rows
    /// hold another one (what a column read this way visits).
    /// </summary>
    public static (int Major, int Visited) Majority(ReadOnlySpan<byte> codes, int storedRows)
    {
        var (zero, one, two) = Counts(codes, storedRows);
        return Majority(zero, one, two);
    }

    /// <summary>The most common of the values 0, 1, 2 given how many rows hold each (ties to the smaller value), and how
    /// many rows hold another one.</summary>
    public static (int Major, int Visited) Majority(int zero, int one, int two) =>
        zero >= one && zero >= two ? (0, one + two) : one >= two ? (1, zero + two) : (2, zero + one);

    /// <summary>The two values other than <paramref name="major"/>, in increasing order.</summary>
    public static (int First, int Second) Others(int major) => major switch
    {
        0 => (1, 2),
        1 => (0, 2),
        _ => (0, 1),
    };

    /// <summary>How many rows of column <paramref name="codes"/> hold the values 0 (a missing call included), 1 and 2.</summary>
    public static (int Zero, int One, int Two) Counts(ReadOnlySpan<byte> codes, int storedRows)
    {
        fixed (byte* c = codes)
        {
            int zero = 0, one = 0;
            int words = (storedRows + 31) / 32;
            for (int word = 0; word < words; word++)
            {
                ulong x = GenotypeCodes.Word(c, codes.Length, storedRows, word, out ulong valid);
                zero += BitOperations.PopCount(x & valid);
                one += BitOperations.PopCount(~x & (x >> 1) & valid);
            }

            return (zero, one, storedRows - zero - one);
        }
    }

    /// <summary>
    /// Writes the rows of column <paramref name="codes"/> whose value is <paramref name="value"/> (0 includes missing
    /// calls) into <paramref name="rows"/>, in increasing order, and returns how many.
    /// </summary>
    public static int RowsOf(ReadOnlySpan<byte> codes, int storedRows, int value, Span<int> rows)
    {
        int count = 0;
        fixed (byte* c = codes)
        {
            int words = (storedRows + 31) / 32;
            for (int word = 0; word < words; word++)
            {
                ulong x = GenotypeCodes.Word(c, codes.Length, storedRows, word, out ulong valid);
                ulong bits = value switch
                {
                    0 => x,
                    1 => ~x & (x >> 1),
                    _ => ~x & ~(x >> 1),
                } & valid;
                int first = word * 32;
                while (bits != 0)
                {
                    rows[count++] = first + (BitOperations.TrailingZeroCount(bits) >> 1);
                    bits &= bits - 1;
                }
            }
        }

        return count;
    }

    /// <summary>
    /// <paramref name="sums"/>[b] = Σ over the listed <paramref name="rows"/> s of residuals[s·stride + b], for b &lt;
    /// stride: the residuals row by row (stored row s at s·stride), stride a multiple of Vector&lt;double&gt;.Count.
    /// </summary>
    public static void RowSums(ReadOnlySpan<int> rows, double* residuals, int stride, Span<double> sums)
    {
        int width = Vector<double>.Count;
        Span<double> chunk = stackalloc double[3 * width];
        for (int from = 0; from < stride; from += 3 * width)
        {
            int vectors = Math.Min(3, (stride - from) / width);
            switch (vectors)
            {
                case 3:
                    Chunk<Three>(rows, residuals + from, stride, chunk);
                    break;
                case 2:
                    Chunk<Two>(rows, residuals + from, stride, chunk);
                    break;
                default:
                    Chunk<One>(rows, residuals + from, stride, chunk);
                    break;
            }

            chunk[..(vectors * width)].CopyTo(sums[from..]);
        }
    }

    // Σ over the listed rows of their residual rows, for TV.Count vectors of residuals starting at `residuals`: two rows
    // per turn into two sets of sums, so that consecutive adds do not wait on each other.
    private static void Chunk<TV>(ReadOnlySpan<int> rows, double* residuals, int stride, Span<double> sums)
        where TV : struct, IVectorCount
    {
        int width = Vector<double>.Count;
        Vector<double> a0 = default, a1 = default, a2 = default;
        Vector<double> b0 = default, b1 = default, b2 = default;
        int count = rows.Length, t = 0;
        for (; t + 2 <= count; t += 2)
        {
            Add<TV>(residuals + ((long)rows[t] * stride), ref a0, ref a1, ref a2);
            Add<TV>(residuals + ((long)rows[t + 1] * stride), ref b0, ref b1, ref b2);
        }

        if (t < count)
        {
            Add<TV>(residuals + ((long)rows[t] * stride), ref a0, ref a1, ref a2);
        }

        (a0 + b0).CopyTo(sums);
        if (TV.Count > 1)
        {
            (a1 + b1).CopyTo(sums[width..]);
        }

        if (TV.Count > 2)
        {
            (a2 + b2).CopyTo(sums[(2 * width)..]);
        }
    }

    // s += row, over TV.Count vectors.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Add<TV>(double* row, ref Vector<double> s0, ref Vector<double> s1, ref Vector<double> s2)
        where TV : struct, IVectorCount
    {
        s0 += Vector.Load(row);
        if (TV.Count > 1)
        {
            s1 += Vector.Load(row + Vector<double>.Count);
        }

        if (TV.Count > 2)
        {
            s2 += Vector.Load(row + (2 * Vector<double>.Count));
        }
    }

    // How many vectors of residuals a chunk holds, as a type, so that each instantiation is compiled without the tests.
    private interface IVectorCount
    {
        static abstract int Count { get; }
    }

    private struct One : IVectorCount
    {
        public static int Count => 1;
    }

    private struct Two : IVectorCount
    {
        public static int Count => 2;
    }

    private struct Three : IVectorCount
    {
        public static int Count => 3;
    }
}
