namespace GpuEnet.Kernels.Mpi;

/// <summary>The columns [<paramref name="first"/>, <paramref name="first"/> + <paramref name="count"/>) of a source, as a source of their own (a rank's shard).</summary>
internal class ColumnRange(IColumnSource source, int first, int count) : IColumnSource
{
    /// <summary>Index in the source of this range's column 0.</summary>
    protected int First => first;

    /// <summary>The range, readable as codes when the source is (so a shard's kernels read genotypes as one process does).</summary>
    public static ColumnRange Of(IColumnSource source, int first, int count) => source is IPackedColumnSource packed
        ? new PackedColumnRange(packed, first, count)
        : new ColumnRange(source, first, count);

    public int Rows => source.Rows;

    public int Columns => count;

    public Precision Precision => source.Precision;

    // A memory-mapped source touches only these columns' pages, so this is what the shard holds.
    public long StorageBytes => source.Columns == 0 ? 0 : source.StorageBytes / source.Columns * count;

    public bool HasMissing => source.HasMissing;

    public ReadOnlySpan<double> Column(int j, Span<double> scratch) => source.Column(first + j, scratch);

    public ReadOnlySpan<int> MissingRows(int j) => source.MissingRows(first + j);
}

/// <summary>A <see cref="ColumnRange"/> of genotype codes.</summary>
internal sealed class PackedColumnRange(IPackedColumnSource source, int first, int count)
    : ColumnRange(source, first, count), IPackedColumnSource
{
    public int StoredRows => source.StoredRows;

    public ReadOnlySpan<int> StoredRowOf => source.StoredRowOf;

    public ReadOnlySpan<byte> Codes(int j) => source.Codes(First + j);
}

/// <summary>
/// The columns the descents need, each brought once from its owner and kept: all p columns by index, of which only
/// those fetched can be read. Kept in the storage's own width (a genotype as one byte, a float32 value as four bytes),
/// so the union of every problem's strong sets costs what those columns cost in X; decoded into the caller's scratch
/// to the same float64 values X gives (a missing cell 0, its row listed), as <see cref="IColumnSource"/> says.
/// </summary>
internal sealed class FetchedColumns(int rows, int columns, Precision precision) : IColumnSource
{
    private readonly Dictionary<int, (Array Values, int[] Missing)> _columns = [];

    public int Rows => rows;

    public int Columns => columns;

    public Precision Precision => precision;

    public long StorageBytes => (long)_columns.Count * rows * Width;

    public bool HasMissing { get; private set; }

    private int Width => precision switch
    {
        Precision.Packed2Bit => sizeof(sbyte),
        Precision.Float32 => sizeof(float),
        _ => sizeof(double),
    };

    public bool Has(int j) => _columns.ContainsKey(j);

    /// <summary>
    /// Keeps column <paramref name="j"/> from its wire form: n values in the storage's width, <paramref name="missingMark"/>
    /// where the cell is missing (kept as 0, its row listed). Every value came from that storage, so nothing is rounded.
    /// </summary>
    public void Add<T>(int j, ReadOnlySpan<T> wire, T missingMark)
        where T : unmanaged, IEquatable<T>
    {
        var missing = new List<int>();
        var values = wire.ToArray();
        for (int i = 0; i < values.Length; i++)
        {
            if (values[i].Equals(missingMark))
            {
                missing.Add(i);
                values[i] = default;
            }
        }

        HasMissing |= missing.Count > 0;
        _columns[j] = (values, [.. missing]);
    }

    public ReadOnlySpan<double> Column(int j, Span<double> scratch)
    {
        if (!_columns.TryGetValue(j, out var column))
        {
            throw new InvalidOperationException($"column {j} was not fetched.");
        }

        switch (column.Values)
        {
            case double[] dense:
                return dense;
            case float[] single:
                for (int i = 0; i < rows; i++)
                {
                    scratch[i] = single[i];
                }

                break;
            default:
                var codes = (sbyte[])column.Values;
                for (int i = 0; i < rows; i++)
                {
                    scratch[i] = codes[i];
                }

                break;
        }

        return scratch[..rows];
    }

    public ReadOnlySpan<int> MissingRows(int j) => _columns.TryGetValue(j, out var column) ? column.Missing : [];
}
