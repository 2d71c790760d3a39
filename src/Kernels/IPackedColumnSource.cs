namespace GpuEnet.Kernels;

/// <summary>
/// A <see cref="IColumnSource"/> whose columns are PLINK 1 genotype codes, two bits per stored row, that a kernel may
/// read as they are instead of decoding them to float64 (what <see cref="IColumnSource.Column"/> does).
/// </summary>
/// <remarks>
/// Code layout (the PLINK 1 .bed variant-major block): stored row s sits in byte s/4 at bits 2·(s mod 4) (low) and
/// 2·(s mod 4)+1 (high). Read as high·2 + low, code 0 is dosage 2, code 2 dosage 1, code 3 dosage 0, and code 1 is a
/// missing call, which reads as 0 like <see cref="IColumnSource.Column"/> (and is listed by
/// <see cref="IColumnSource.MissingRows"/>). The low bit alone is therefore "value 0"; with it clear, the high bit tells
/// 1 from 2. Padding codes past the last stored row are zero and must be ignored.
/// </remarks>
public interface IPackedColumnSource : IColumnSource
{
    /// <summary>Rows stored in each column's codes (the file's samples); at least <see cref="IColumnSource.Rows"/>.</summary>
    int StoredRows { get; }

    /// <summary>
    /// The stored row of each exposed row, increasing (rows dropped from the file are not exposed); empty when every stored
    /// row is exposed in order.
    /// </summary>
    ReadOnlySpan<int> StoredRowOf { get; }

    /// <summary>Column <paramref name="j"/>'s codes: ceil(<see cref="StoredRows"/>/4) bytes.</summary>
    ReadOnlySpan<byte> Codes(int j);
}
