using GpuEnet.Kernels;

namespace GpuEnet.Solver.Binomial;

/// <summary>
/// A view of some columns of a source, in the order given: bound as a design of its own, it lets a contract operation
/// that works on all columns (<see cref="IBoundDesign.ColumnMoments"/>) run on a strong set only. On the SIMD backend
/// binding copies nothing; on a GPU it uploads these n × |columns| values once.
/// </summary>
internal sealed class ColumnSubset(IColumnSource source, int[] columns) : IColumnSource
{
    /// <summary>The source's column index of each view column.</summary>
    public int[] Columns { get; } = columns;

    public int Rows => source.Rows;

    int IColumnSource.Columns => Columns.Length;

    public Precision Precision => source.Precision;

    public long StorageBytes => source.StorageBytes / Math.Max(1, source.Columns) * Columns.Length;

    public bool HasMissing => source.HasMissing;

    public ReadOnlySpan<double> Column(int j, Span<double> scratch) => source.Column(Columns[j], scratch);

    public ReadOnlySpan<int> MissingRows(int j) => source.MissingRows(Columns[j]);
}
