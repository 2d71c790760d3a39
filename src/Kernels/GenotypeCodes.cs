using System.Numerics;
using System.Runtime.Intrinsics;

namespace GpuEnet.Kernels;

/// <summary>
/// PLINK 1 genotype codes (<see cref="IPackedColumnSource"/>) decoded to dosages: code 0 → 2, code 2 → 1, code 3 → 0, and
/// code 1 (a missing call) → 0.
/// </summary>
public static unsafe class GenotypeCodes
{
    /// <summary>Byte → the four dosages it encodes (256 × 4), row order within the byte low bits first; pinned.</summary>
    private static readonly double[] s_dosages = BuildTable();

    /// <summary>The dosage a 2-bit code stands for (code = high·2 + low): 0 → 2, 2 → 1, 3 → 0, and 1 (missing) → 0.</summary>
    public static double Dosage(int code) => code switch
    {
        0 => 2,
        2 => 1,
        _ => 0,
    };

    /// <summary>The dosage of row <paramref name="row"/> of a column's <paramref name="codes"/>.</summary>
    public static double DosageAt(ReadOnlySpan<byte> codes, int row) => Dosage((codes[row >> 2] >> (2 * (row & 3))) & 3);

    /// <summary>
    /// Decodes the rows [<paramref name="firstRow"/>, <paramref name="firstRow"/> + <paramref name="into"/>.Length) of a
    /// column's <paramref name="codes"/> into <paramref name="into"/>; <paramref name="firstRow"/> is a multiple of 4.
    /// </summary>
    public static void Decode(ReadOnlySpan<byte> codes, int firstRow, Span<double> into)
    {
        if ((firstRow & 3) != 0)
        {
            throw new ArgumentException($"the first row ({firstRow}) must be a multiple of 4.", nameof(firstRow));
        }

        int count = into.Length;
        var bytes = codes.Slice(firstRow >> 2, (count + 3) >> 2);
        fixed (double* table = s_dosages)
        fixed (double* d = into)
        fixed (byte* block = bytes)
        {
            int full = count >> 2;
            for (int b = 0; b < full; b++)
            {
                Vector256.Store(Vector256.Load(table + (block[b] << 2)), d + (b << 2));
            }

            for (int i = full << 2; i < count; i++)
            {
                d[i] = table[(block[full] << 2) + (i & 3)];
            }
        }
    }

    /// <summary>
    /// Decodes a column's exposed rows into <paramref name="into"/> (length: the exposed rows): every stored row in order
    /// when <paramref name="storedRowOf"/> is empty, otherwise stored row <c>storedRowOf[i]</c> into row i.
    /// </summary>
    public static void DecodeRows(ReadOnlySpan<byte> codes, ReadOnlySpan<int> storedRowOf, Span<double> into)
    {
        if (storedRowOf.IsEmpty)
        {
            Decode(codes, 0, into);
            return;
        }

        for (int i = 0; i < into.Length; i++)
        {
            into[i] = DosageAt(codes, storedRowOf[i]);
        }
    }

    /// <summary>
    /// The exposed rows of a column whose code is 1 (a missing call), in increasing order, written to
    /// <paramref name="into"/> unless it is empty; returns how many there are. <paramref name="exposedRowOf"/> maps a stored
    /// row to its exposed row (−1: dropped); empty when every stored row is exposed in order.
    /// </summary>
    /// <remarks>
    /// Eight bytes (32 codes) at a time: <c>x &amp; ~(x &gt;&gt; 1) &amp; 0x55…</c> keeps the low bit of exactly the pairs that read
    /// 01. Padding codes past <paramref name="storedRows"/> are never 01 in a valid file, and are skipped anyway.
    /// </remarks>
    public static int MissingRows(ReadOnlySpan<byte> codes, int storedRows, ReadOnlySpan<int> exposedRowOf, Span<int> into)
    {
        const ulong LowBits = 0x5555_5555_5555_5555UL;
        int count = 0;
        int bytes = (storedRows + 3) >> 2;
        for (int b = 0; b < bytes; b += 8)
        {
            int len = Math.Min(8, bytes - b);
            ulong x = 0;
            if (len == 8)
            {
                x = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(codes.Slice(b, 8));
            }
            else
            {
                for (int k = 0; k < len; k++)
                {
                    x |= (ulong)codes[b + k] << (8 * k);
                }
            }

            ulong m = x & ~(x >> 1) & LowBits;
            while (m != 0)
            {
                int stored = (b * 4) + (BitOperations.TrailingZeroCount(m) >> 1);
                m &= m - 1;
                if (stored >= storedRows)
                {
                    break;
                }

                int row = exposedRowOf.IsEmpty ? stored : exposedRowOf[stored];
                if (row >= 0)
                {
                    if (!into.IsEmpty)
                    {
                        into[count] = row;
                    }

                    count++;
                }
            }
        }

        return count;
    }

    /// <summary>
    /// The inverse of a source's <see cref="IPackedColumnSource.StoredRowOf"/>: the exposed row of each stored row, −1
    /// where a stored row is not exposed; empty when every stored row is exposed in order (what
    /// <see cref="MissingRows"/> takes).
    /// </summary>
    public static int[] ExposedRowOf(ReadOnlySpan<int> storedRowOf, int storedRows)
    {
        if (storedRowOf.IsEmpty)
        {
            return [];
        }

        var rowOf = new int[storedRows];
        Array.Fill(rowOf, -1);
        for (int i = 0; i < storedRowOf.Length; i++)
        {
            rowOf[storedRowOf[i]] = i;
        }

        return rowOf;
    }

    private static double[] BuildTable()
    {
        var t = GC.AllocateArray<double>(256 * 4, pinned: true);
        for (int v = 0; v < 256; v++)
        {
            for (int k = 0; k < 4; k++)
            {
                t[(v * 4) + k] = Dosage((v >> (2 * k)) & 3);
            }
        }

        return t;
    }
}
