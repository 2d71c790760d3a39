using System.Numerics;
using System.Runtime.CompilerServices;

namespace GpuEnet.Kernels.Cpu;

/// <summary>
/// Dots of one 2-bit genotype column with many residuals, read from the codes without decoding them (the gradient pass
/// over PLINK data). A column holds three values (0, 1, 2; a missing call reads 0), so
/// <c>Σ_i x_i r_i = v_m·Σ_i r_i + Σ_{x_i ≠ v_m} (x_i − v_m)·r_i</c> where v_m is the column's most common value: only the
/// other rows are visited, found 32 at a time with bit masks over the codes (<see cref="Visits"/>), each multiply-adding
/// its row of residuals (<see cref="Column"/>). A variant of minor-allele frequency f has about 2f of its rows visited (a
/// rare variant almost none), where the decoded path decodes and multiplies every row; a column is read this way when
/// at most <see cref="CodedShare"/> of its rows are visited.
/// </summary>
/// <remarks>
/// Masks over a little-endian word of codes (row s of the word in bits 2s, 2s+1; <c>L</c> = 0x5555…): value 0 (codes 3
/// and 1, dosage 0 and missing) is <c>x &amp; L</c>; value 1 (code 2) is <c>~x &amp; (x &gt;&gt; 1) &amp; L</c>; value 2
/// (code 0) is <c>~x &amp; ~(x &gt;&gt; 1) &amp; L</c>. Rows outside value m: <c>~x</c> (m = 0), <c>x | ~(x &gt;&gt; 1)</c>
/// (m = 1), <c>x | (x &gt;&gt; 1)</c> (m = 2), each <c>&amp; L</c>. Padding codes past the last row are masked off.
/// The sums are taken in row order, so a column's result does not depend on which thread or rank computes it.
/// </remarks>
internal static unsafe class PackedDots
{
    private const ulong LowBits = 0x5555_5555_5555_5555UL;

    /// <summary>
    /// The share of a column's rows that may hold a value other than its most common one for the column to be read this
    /// way rather than decoded (the gradient pass and <see cref="SparseGenotypes"/> in the descent). Measured in
    /// bench/results/packed-gradient-epyc-2core.md: 0.15–0.35 within noise of each other, every column (1) up to 2.6×
    /// slower than decoding on common variants.
    /// </summary>
    public const double CodedShare = 0.25;

    /// <summary>
    /// Counts column <paramref name="codes"/>' rows of each value and returns the most common value and how many rows
    /// hold another one (what <see cref="Column"/> visits).
    /// </summary>
    public static (int Major, int Visited) Majority(ReadOnlySpan<byte> codes, int storedRows)
    {
        var (zero, one, two) = Counts(codes, storedRows);
        return zero >= one && zero >= two ? (0, storedRows - zero) : one >= two ? (1, storedRows - one) : (2, storedRows - two);
    }

    /// <summary>How many rows of column <paramref name="codes"/> hold the values 0 (a missing call included), 1 and 2.</summary>
    public static (int Zero, int One, int Two) Counts(ReadOnlySpan<byte> codes, int storedRows)
    {
        fixed (byte* c = codes)
        {
            int zero = 0, one = 0;
            int words = (storedRows + 31) / 32;
            for (int word = 0; word < words; word++)
            {
                ulong x = Word(c, codes.Length, storedRows, word, out ulong valid);
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
                ulong x = Word(c, codes.Length, storedRows, word, out ulong valid);
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
    /// Lists the rows of a column whose value is not <paramref name="major"/> (<see cref="Majority"/>), in order: their
    /// offsets in the row-major residuals (row · <paramref name="stride"/>) and their weights (value − major; a missing
    /// call reads 0). Returns how many; the lists hold at least that many.
    /// </summary>
    public static int Visits(ReadOnlySpan<byte> codes, int storedRows, int major, int stride, Span<int> offsets, Span<double> weights)
    {
        // The weight by code (code 1, a missing call, reads 0): value − major.
        Span<double> weight = [2 - major, 0 - major, 1 - major, 0 - major];
        int count = 0;
        fixed (byte* c = codes)
        {
            int words = (storedRows + 31) / 32;
            for (int word = 0; word < words; word++)
            {
                ulong x = Word(c, codes.Length, storedRows, word, out ulong valid);
                ulong bits = major switch
                {
                    0 => ~x,
                    1 => x | ~(x >> 1),
                    _ => x | (x >> 1),
                } & valid;
                int first = word * 32;
                while (bits != 0)
                {
                    int shift = BitOperations.TrailingZeroCount(bits);
                    bits &= bits - 1;
                    offsets[count] = (first + (shift >> 1)) * stride;
                    weights[count] = weight[(int)(x >> shift) & 3];
                    count++;
                }
            }
        }

        return count;
    }

    /// <summary>
    /// <paramref name="dots"/>[b] = Σ_s x_s · rows[s·stride + b] for b &lt; stride, for a column whose most common value is
    /// <paramref name="major"/> and whose other rows are listed by <see cref="Visits"/>.
    /// </summary>
    /// <param name="major">The column's most common value.</param>
    /// <param name="offsets">The listed rows' offsets in <paramref name="rows"/>.</param>
    /// <param name="weights">The listed rows' weights.</param>
    /// <param name="rows">Residuals row by row (stored row s at s·stride), stride a multiple of Vector&lt;double&gt;.Count;
    /// rows that are not exposed hold zeros.</param>
    /// <param name="stride">Residuals per row.</param>
    /// <param name="totals">Σ_s rows[s·stride + b] for each b.</param>
    /// <param name="dots">Output, stride values.</param>
    public static void Column(int major, ReadOnlySpan<int> offsets, ReadOnlySpan<double> weights, double* rows, int stride,
        ReadOnlySpan<double> totals, Span<double> dots)
    {
        int width = Vector<double>.Count;
        Span<double> sums = stackalloc double[3 * width];
        for (int from = 0; from < stride; from += 3 * width)
        {
            int vectors = Math.Min(3, (stride - from) / width);
            switch (vectors)
            {
                case 3:
                    Chunk<Three>(offsets, weights, rows + from, sums);
                    break;
                case 2:
                    Chunk<Two>(offsets, weights, rows + from, sums);
                    break;
                default:
                    Chunk<One>(offsets, weights, rows + from, sums);
                    break;
            }

            int span = vectors * width;
            for (int l = 0; l < span; l++)
            {
                dots[from + l] = (major * totals[from + l]) + sums[l];
            }
        }
    }

    // Word `word` of the codes (32 rows), and the low bits of the rows in it that exist (padding codes are zero and
    // would read as value 2).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Word(byte* codes, int bytes, int storedRows, int word, out ulong valid)
    {
        int at = word * 8;
        if (at + 8 <= bytes && (word + 1) * 32 <= storedRows)
        {
            valid = LowBits;
            ulong full = Unsafe.ReadUnaligned<ulong>(codes + at);
            return BitConverter.IsLittleEndian ? full : System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(full);
        }

        ulong x = 0;
        for (int k = 0; at + k < bytes && k < 8; k++)
        {
            x |= (ulong)codes[at + k] << (8 * k);
        }

        int inWord = storedRows - (word * 32);
        valid = LowBits & ((1UL << (2 * inWord)) - 1);
        return x;
    }

    // Σ over the listed rows of weight · residual row, for TV.Count vectors of residuals starting at `rows`: two rows per
    // turn into two sets of sums, so that consecutive multiply-adds do not wait on each other.
    private static void Chunk<TV>(ReadOnlySpan<int> offsets, ReadOnlySpan<double> weights, double* rows, Span<double> sums)
        where TV : struct, IVectorCount
    {
        int width = Vector<double>.Count;
        Vector<double> a0 = default, a1 = default, a2 = default;
        Vector<double> b0 = default, b1 = default, b2 = default;
        int count = offsets.Length, t = 0;
        for (; t + 2 <= count; t += 2)
        {
            Add<TV>(rows + offsets[t], weights[t], ref a0, ref a1, ref a2);
            Add<TV>(rows + offsets[t + 1], weights[t + 1], ref b0, ref b1, ref b2);
        }

        if (t < count)
        {
            Add<TV>(rows + offsets[t], weights[t], ref a0, ref a1, ref a2);
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

    // s += weight · row, over TV.Count vectors.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Add<TV>(double* row, double weight, ref Vector<double> s0, ref Vector<double> s1, ref Vector<double> s2)
        where TV : struct, IVectorCount
    {
        var w = new Vector<double>(weight);
        s0 = Vector.FusedMultiplyAdd(w, Vector.Load(row), s0);
        if (TV.Count > 1)
        {
            s1 = Vector.FusedMultiplyAdd(w, Vector.Load(row + Vector<double>.Count), s1);
        }

        if (TV.Count > 2)
        {
            s2 = Vector.FusedMultiplyAdd(w, Vector.Load(row + (2 * Vector<double>.Count)), s2);
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
