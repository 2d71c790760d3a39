using System.Numerics;
using System.Runtime.CompilerServices;
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
    /// 32 codes at a time (<see cref="Word"/>): <c>x &amp; ~(x &gt;&gt; 1)</c> keeps the low bit of exactly the pairs that
    /// read 01.
    /// </remarks>
    public static int MissingRows(ReadOnlySpan<byte> codes, int storedRows, ReadOnlySpan<int> exposedRowOf, Span<int> into)
    {
        int count = 0;
        fixed (byte* c = codes)
        {
            int words = (storedRows + 31) / 32;
            for (int word = 0; word < words; word++)
            {
                ulong x = Word(c, codes.Length, storedRows, word, out ulong valid);
                ulong m = x & ~(x >> 1) & valid;
                while (m != 0)
                {
                    int stored = (word * 32) + (BitOperations.TrailingZeroCount(m) >> 1);
                    m &= m - 1;
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
        }

        return count;
    }

    /// <summary>
    /// Word <paramref name="word"/> of a column's codes (32 stored rows, little-endian: row s of the word in bits 2s and
    /// 2s+1), and in <paramref name="valid"/> the low bits of the rows in it that exist (padding codes are zero and would
    /// read as dosage 2).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong Word(byte* codes, int bytes, int storedRows, int word, out ulong valid)
    {
        const ulong LowBits = 0x5555_5555_5555_5555UL;
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
