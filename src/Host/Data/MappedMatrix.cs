using GpuEnet.Kernels;

namespace GpuEnet.Host.Data;

/// <summary>
/// A column-major (Fortran-order) float64 or float32 matrix read in place from a memory-mapped file, such as a
/// Fortran-ordered <c>.npy</c>. Float64 columns are returned as views of the mapping (no copy, no decode); float32
/// columns are widened into the caller's scratch. The operating system pages the file in and out, so X may be larger
/// than the memory the process can hold.
/// </summary>
/// <remarks>
/// A mapped matrix never has missing values: the loader scans the columns once and copies a file holding NaN into a
/// <see cref="DenseMatrix"/> with declared missing cells instead (a missing cell must hold 0, which a NaN is not).
/// Reading a column after <see cref="Dispose"/> throws <see cref="ObjectDisposedException"/>. Reads are thread-safe.
/// </remarks>
public sealed unsafe class MappedMatrix : IColumnSource, IDisposable
{
    private readonly MappedFileView _view;
    private readonly long _dataOffset;
    private readonly int[]? _columnMap;
    private readonly int _itemSize;

    /// <param name="view">The mapped file; owned (disposed) by this matrix.</param>
    /// <param name="dataOffset">Byte offset of element (0, 0).</param>
    /// <param name="rows">Rows n.</param>
    /// <param name="columnMap">Which stored columns are exposed, in order; null exposes all <paramref name="storedColumns"/>.</param>
    /// <param name="storedColumns">Columns in the file.</param>
    /// <param name="isFloat32">Elements are float32 rather than float64.</param>
    internal MappedMatrix(MappedFileView view, long dataOffset, int rows, int storedColumns, int[]? columnMap, bool isFloat32)
    {
        _itemSize = isFloat32 ? sizeof(float) : sizeof(double);
        if (dataOffset + ((long)rows * storedColumns * _itemSize) > view.Length)
        {
            throw new ArgumentException("The mapped file is shorter than the matrix it should hold.", nameof(view));
        }

        _view = view;
        _dataOffset = dataOffset;
        _columnMap = columnMap;
        Rows = rows;
        Columns = columnMap?.Length ?? storedColumns;
        Precision = isFloat32 ? Precision.Float32 : Precision.Float64;
    }

    /// <inheritdoc/>
    public int Rows { get; }

    /// <inheritdoc/>
    public int Columns { get; }

    /// <inheritdoc/>
    public Precision Precision { get; }

    /// <inheritdoc/>
    public long StorageBytes => (long)Rows * Columns * _itemSize;

    /// <inheritdoc/>
    public bool HasMissing => false;

    /// <inheritdoc/>
    public ReadOnlySpan<double> Column(int j, Span<double> scratch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(j);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(j, Columns);
        int stored = _columnMap is null ? j : _columnMap[j];
        byte* start = _view.Pointer + _dataOffset + ((long)stored * Rows * _itemSize);
        if (_itemSize == sizeof(double))
        {
            return new ReadOnlySpan<double>(start, Rows);
        }

        var dst = scratch[..Rows];
        System.Numerics.Tensors.TensorPrimitives.ConvertChecked<float, double>(new ReadOnlySpan<float>(start, Rows), dst);
        return dst;
    }

    /// <inheritdoc/>
    public ReadOnlySpan<int> MissingRows(int j) => [];

    /// <summary>Unmaps the file.</summary>
    public void Dispose() => _view.Dispose();
}
