namespace GpuEnet.Kernels.Cpu;

/// <summary>
/// Genotype columns in the form a coordinate step reads fastest when one value dominates: the column's most common
/// value v_m and, for each of the two other values, the rows that hold it. A step then costs those rows plus one running
/// sum (<c>Σ_i w_i (x_i − c) r_i = Σ_{v ≠ v_m} (v − v_m) Σ_{x_i = v} w_i r_i + (v_m − c) Σ_i w_i r_i</c>) instead of n.
/// </summary>
/// <remarks>
/// The form is a function of the column's values alone (a missing call reading 0): built from the 2-bit codes where the
/// source has them for every row, from the decoded column otherwise — the same lists either way, so an MPI rank stepping
/// over the columns it fetched takes the path of one process stepping over the mapped .bed. Like
/// <see cref="ColumnCache"/>, <see cref="Prepare"/> runs on one thread before a parallel descent; readers only read.
/// When the rows of new columns do not fit, the store starts over.
/// </remarks>
internal sealed class SparseGenotypes
{
    private readonly IColumnSource _source;
    private readonly IPackedColumnSource? _codes;
    private readonly long _capacity;

    // Per column: the most common value, or Unknown (not examined since the store started over) or Dense (too many rows
    // hold another value); where its lists start in the shared store, and the length of the first one and of both.
    private readonly sbyte[] _major;
    private readonly long[] _start;
    private readonly int[] _first;
    private readonly int[] _count;
    private int[] _rows = [];
    private long _used;

    private const sbyte Unknown = -1;
    private const sbyte Dense = -2;

    /// <summary>A store of at most <paramref name="bytes"/> of listed rows of <paramref name="source"/>'s columns.</summary>
    public SparseGenotypes(IColumnSource source, long bytes)
    {
        _source = source;
        _codes = source is IPackedColumnSource packed && packed.StoredRowOf.IsEmpty && packed.StoredRows == source.Rows ? packed : null;
        _capacity = Math.Min(Array.MaxLength, bytes / sizeof(int));
        _major = new sbyte[source.Columns];
        Array.Fill(_major, Unknown);
        _start = new long[source.Columns];
        _first = new int[source.Columns];
        _count = new int[source.Columns];
    }

    /// <summary>Whether <paramref name="source"/> holds genotypes (values 0, 1, 2), for which this store applies.</summary>
    public static bool AppliesTo(IColumnSource source) => source.Precision == Precision.Packed2Bit;

    /// <summary>Examines every listed feature not yet examined. Not thread-safe: call it before the readers start.</summary>
    public void Prepare(ReadOnlySpan<int> features)
    {
        int n = _source.Rows;
        double[]? scratch = null;
        foreach (int j in features)
        {
            if (_major[j] != Unknown)
            {
                continue;
            }

            ReadOnlySpan<double> x = default;
            int zero, one, two;
            if (_codes is not null)
            {
                (zero, one, two) = PackedDots.Counts(_codes.Codes(j), n);
            }
            else
            {
                scratch ??= new double[n];
                x = _source.Column(j, scratch);
                (zero, one) = (0, 0);
                foreach (double v in x)
                {
                    zero += v == 0 ? 1 : 0;
                    one += v == 1 ? 1 : 0;
                }

                two = n - zero - one;
            }

            var (major, listed) = PackedDots.Majority(zero, one, two);
            if (listed > PackedDots.CodedShare * n)
            {
                _major[j] = Dense;
                continue;
            }

            if (_used + listed > _capacity)
            {
                Array.Fill(_major, Unknown);
                _used = 0;
                if (listed > _capacity)
                {
                    continue;
                }
            }

            Reserve(_used + listed);
            var (first, second) = PackedDots.Others(major);
            var into = _rows.AsSpan((int)_used, listed);
            int firstCount = _codes is not null ? PackedDots.RowsOf(_codes.Codes(j), n, first, into) : RowsOf(x, first, into);
            if (_codes is not null)
            {
                PackedDots.RowsOf(_codes.Codes(j), n, second, into[firstCount..]);
            }
            else
            {
                RowsOf(x, second, into[firstCount..]);
            }

            _start[j] = _used;
            _first[j] = firstCount;
            _count[j] = listed;
            _major[j] = (sbyte)major;
            _used += listed;
        }
    }

    /// <summary>
    /// Column <paramref name="j"/>'s most common value and the rows of its two other values (<see cref="PackedDots.Others"/>), in
    /// increasing order; false when the column is read densely.
    /// </summary>
    public bool TryGet(int j, out int major, out ReadOnlySpan<int> first, out ReadOnlySpan<int> second)
    {
        major = _major[j];
        if (major < 0)
        {
            first = default;
            second = default;
            return false;
        }

        var rows = _rows.AsSpan((int)_start[j], _count[j]);
        first = rows[.._first[j]];
        second = rows[_first[j]..];
        return true;
    }

    private static int RowsOf(ReadOnlySpan<double> x, int value, Span<int> into)
    {
        int count = 0;
        for (int i = 0; i < x.Length; i++)
        {
            if (x[i] == value)
            {
                into[count++] = i;
            }
        }

        return count;
    }

    // Grows the store by doubling, up to the capacity.
    private void Reserve(long entries)
    {
        if (entries <= _rows.Length)
        {
            return;
        }

        long size = Math.Min(_capacity, Math.Max(entries, Math.Max(1L << 16, 2L * _rows.Length)));
        Array.Resize(ref _rows, (int)size);
    }
}
