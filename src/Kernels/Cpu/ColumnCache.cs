namespace GpuEnet.Kernels.Cpu;

/// <summary>
/// Decoded float64 copies of the columns coordinate descent keeps returning to (the strong sets), so that a descent
/// reads them from a compact block that stays in cache instead of from scattered columns of a large X — and decodes a
/// float32 or packed-genotype column once instead of on every coordinate step.
/// </summary>
/// <remarks>
/// The strong sets change slowly along a path, so the cache is filled once per change: <see cref="Prepare"/> runs on one
/// thread before a parallel descent and copies what is missing; the descents then only read. Float64 columns are cached
/// only for multi-sweep calls (the active sets); a one-sweep check of a strong set that can hold most of p reads them in
/// place. When the columns of a multi-sweep call do not fit beside what is cached, the cache starts over with them (as
/// many as fit; the rest are read from X); a one-sweep call that does not fit reads what is not cached from X.
/// </remarks>
internal sealed class ColumnCache
{
    private readonly IColumnSource _source;
    private readonly int _rows;
    private readonly int _capacity;
    private readonly int[] _slot;
    private readonly int[] _seen;
    private int _generation;
    private double[] _values = [];
    private int _used;

    /// <summary>A cache of at most <paramref name="bytes"/> of decoded columns of <paramref name="source"/>.</summary>
    public ColumnCache(IColumnSource source, long bytes)
    {
        _source = source;
        _rows = source.Rows;
        _capacity = (int)Math.Min(source.Columns, bytes / (8L * Math.Max(1, _rows)));
        _slot = new int[source.Columns];
        Array.Fill(_slot, -1);
        _seen = new int[source.Columns];
    }

    /// <summary>Columns copied into the cache since it was made (each copy is one read of the column from X).</summary>
    public long Copies { get; private set; }

    /// <summary>
    /// Caches every listed feature that fits (features may repeat), for a call that reads each of them once or, with
    /// <paramref name="reused"/> (several sweeps), again and again. A one-sweep call over float64 storage caches nothing:
    /// those columns are read in place, and a copy would cost what the read does. When the columns do not fit beside
    /// what is cached, a reused call starts the cache over with them; a one-sweep call leaves it as it is.
    /// Not thread-safe: call it before the readers start.
    /// </summary>
    public void Prepare(ReadOnlySpan<int> features, bool reused)
    {
        if (_capacity == 0 || (!reused && _source.Precision == Precision.Float64))
        {
            return;
        }

        _generation++;
        int missing = 0;
        foreach (int j in features)
        {
            if (_seen[j] != _generation)
            {
                _seen[j] = _generation;
                missing += _slot[j] < 0 ? 1 : 0;
            }
        }

        if (missing == 0)
        {
            return;
        }

        if (_used + missing > _capacity)
        {
            if (!reused)
            {
                return;
            }

            Clear();
        }

        foreach (int j in features)
        {
            if (_slot[j] >= 0)
            {
                continue;
            }

            if (_used == _capacity)
            {
                break;
            }

            Reserve(_used + 1);
            var destination = _values.AsSpan(_used * _rows, _rows);
            var column = _source.Column(j, destination);
            if (!column.Overlaps(destination))
            {
                column.CopyTo(destination);
            }

            _slot[j] = _used++;
            Copies++;
        }
    }

    /// <summary>Feature <paramref name="j"/>'s cached column, or an empty span when it is not cached.</summary>
    public ReadOnlySpan<double> Column(int j)
    {
        int slot = _slot[j];
        return slot < 0 ? default : _values.AsSpan(slot * _rows, _rows);
    }

    private void Clear()
    {
        Array.Fill(_slot, -1);
        _used = 0;
    }

    // Grows the block by doubling (a short path never allocates the whole budget), up to the capacity.
    private void Reserve(int columns)
    {
        long needed = (long)columns * _rows;
        if (needed <= _values.Length)
        {
            return;
        }

        long size = Math.Min((long)_capacity * _rows, Math.Max(needed, Math.Max(16L * _rows, 2L * _values.Length)));
        var grown = GC.AllocateUninitializedArray<double>((int)size);
        _values.AsSpan(0, _used * _rows).CopyTo(grown);
        _values = grown;
    }
}
