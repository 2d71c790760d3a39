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
