namespace GpuEnet.Kernels.Mpi;

/// <summary>The columns [<paramref name="first"/>, <paramref name="first"/> + <paramref name="count"/>) of a source, as a source of their own (a rank's shard).</summary>
internal sealed class ColumnRange(IColumnSource source, int first, int count) : IColumnSource
{
    public int Rows => source.Rows;

    public int Columns => count;

    public Precision Precision => source.Precision;

    // A memory-mapped source touches only these columns' pages, so this is what the shard holds.
    public long StorageBytes => source.Columns == 0 ? 0 : source.StorageBytes / source.Columns * count;

    public bool HasMissing => source.HasMissing;

    public ReadOnlySpan<double> Column(int j, Span<double> scratch) => source.Column(first + j, scratch);

    public ReadOnlySpan<int> MissingRows(int j) => source.MissingRows(first + j);
}

/// <summary>
/// The columns the descents need, each brought once from its owner and kept: all p columns by index, of which only
/// those fetched can be read. Values as float64, a missing cell 0 with its row listed, as <see cref="IColumnSource"/> says.
/// </summary>
internal sealed class FetchedColumns(int rows, int columns, Precision precision) : IColumnSource
{
    private readonly Dictionary<int, (double[] Values, int[] Missing)> _columns = [];

    public int Rows => rows;

    public int Columns => columns;

    public Precision Precision => precision;

    public long StorageBytes => (long)_columns.Count * rows * sizeof(double);

    public bool HasMissing { get; private set; }

    public bool Has(int j) => _columns.ContainsKey(j);

    /// <summary>Keeps column <paramref name="j"/> from its wire form: n values, NaN where the cell is missing.</summary>
    public void Add(int j, ReadOnlySpan<double> wire)
    {
        var values = wire.ToArray();
        var missing = new List<int>();
        for (int i = 0; i < values.Length; i++)
        {
            if (double.IsNaN(values[i]))
            {
                missing.Add(i);
                values[i] = 0;
            }
        }

        HasMissing |= missing.Count > 0;
        _columns[j] = (values, [.. missing]);
    }

    public ReadOnlySpan<double> Column(int j, Span<double> scratch) =>
        _columns.TryGetValue(j, out var column) ? column.Values : throw new InvalidOperationException($"column {j} was not fetched.");

    public ReadOnlySpan<int> MissingRows(int j) => _columns.TryGetValue(j, out var column) ? column.Missing : [];
}
