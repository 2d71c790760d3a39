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

    public int MissingCount(int j) => source.MissingCount(first + j);
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
/// those fetched can be read, decoded into the caller's scratch to the same float64 values X gives (a missing cell 0, its
/// row listed), as <see cref="IColumnSource"/> says. Kept in the storage's own width, so the union of every problem's
/// strong sets costs what those columns cost in X.
/// </summary>
internal abstract class FetchedColumns(int rows, int columns, Precision precision) : IColumnSource
{
    private readonly Dictionary<int, int[]> _missing = [];

    public int Rows => rows;

    public int Columns => columns;

    public Precision Precision => precision;

    public abstract long StorageBytes { get; }

    public bool HasMissing { get; private set; }

    /// <summary>The fetched columns' values (or codes) by feature.</summary>
    protected Dictionary<int, Array> Stored { get; } = [];

    /// <summary>For a source: its codes as they are when it has them (one quarter of a byte a genotype), else its values.</summary>
    public static FetchedColumns For(IColumnSource source) => source is IPackedColumnSource packed
        ? new FetchedCodes(packed)
        : new FetchedValues(source.Rows, source.Columns, source.Precision);

    public bool Has(int j) => Stored.ContainsKey(j);

    public abstract ReadOnlySpan<double> Column(int j, Span<double> scratch);

    public ReadOnlySpan<int> MissingRows(int j) => _missing.TryGetValue(j, out var rows) ? rows : [];

    /// <summary>Keeps column <paramref name="j"/>'s storage and its missing rows.</summary>
    protected void Keep(int j, Array stored, int[] missing)
    {
        HasMissing |= missing.Length > 0;
        Stored[j] = stored;
        if (missing.Length > 0)
        {
            _missing[j] = missing;
        }
    }

    /// <summary>Column <paramref name="j"/>'s storage; it must have been fetched.</summary>
    protected Array StoredColumn(int j) => Stored.TryGetValue(j, out var stored)
        ? stored
        : throw new InvalidOperationException($"column {j} was not fetched.");
}

/// <summary>Fetched columns of values: n values a column in the storage's width (a genotype of a view as one byte).</summary>
internal sealed class FetchedValues(int rows, int columns, Precision precision) : FetchedColumns(rows, columns, precision)
{
    public override long StorageBytes => (long)Stored.Count * Rows * Precision switch
    {
        Precision.Packed2Bit => sizeof(sbyte),
        Precision.Float32 => sizeof(float),
        _ => sizeof(double),
    };

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

        Keep(j, values, [.. missing]);
    }

    public override ReadOnlySpan<double> Column(int j, Span<double> scratch)
    {
        switch (StoredColumn(j))
        {
            case double[] dense:
                return dense;
            case float[] single:
                for (int i = 0; i < Rows; i++)
                {
                    scratch[i] = single[i];
                }

                break;
            case var values:
                var codes = (sbyte[])values;
                for (int i = 0; i < Rows; i++)
                {
                    scratch[i] = codes[i];
                }

                break;
        }

        return scratch[..Rows];
    }
}

/// <summary>
/// Fetched columns of genotype codes, as the owner's source stores them (ceil(stored rows/4) bytes a column), read as
/// codes by the kernels and decoded as the owner decodes them; the missing rows are found in the codes as the owner
/// finds them, so a descent over these columns is the one process's descent.
/// </summary>
internal sealed class FetchedCodes(IPackedColumnSource source) : FetchedColumns(source.Rows, source.Columns, Precision.Packed2Bit), IPackedColumnSource
{
    private readonly int[] _storedRowOf = source.StoredRowOf.ToArray();
    private readonly int[] _rowOfStored = GenotypeCodes.ExposedRowOf(source.StoredRowOf, source.StoredRows);

    /// <summary>Bytes of one column's codes.</summary>
    public int CodeBytes => (StoredRows + 3) / 4;

    public override long StorageBytes => (long)Stored.Count * CodeBytes;

    public int StoredRows => source.StoredRows;

    public ReadOnlySpan<int> StoredRowOf => _storedRowOf;

    public ReadOnlySpan<byte> Codes(int j) => (byte[])StoredColumn(j);

    /// <summary>Keeps column <paramref name="j"/> from its codes.</summary>
    public void Add(int j, ReadOnlySpan<byte> codes)
    {
        var missing = new int[GenotypeCodes.MissingRows(codes, StoredRows, _rowOfStored, [])];
        GenotypeCodes.MissingRows(codes, StoredRows, _rowOfStored, missing);
        Keep(j, codes.ToArray(), missing);
    }

    public override ReadOnlySpan<double> Column(int j, Span<double> scratch)
    {
        var into = scratch[..Rows];
        GenotypeCodes.DecodeRows(Codes(j), _storedRowOf, into);
        return into;
    }
}
