namespace GpuEnet.Kernels;

/// <summary>A dense column-major float64 matrix: element (i, j) at <c>values[j * rows + i]</c>.</summary>
public sealed class DenseMatrix : IColumnSource
{
    private readonly Memory<double> _values;

    /// <summary>Wraps column-major values without copying.</summary>
    /// <exception cref="ArgumentException">When the buffer length is not rows × columns.</exception>
    public DenseMatrix(int rows, int columns, Memory<double> values)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        if (values.Length != (long)rows * columns)
        {
            throw new ArgumentException($"Expected {(long)rows * columns} values for a {rows} × {columns} matrix, got {values.Length}.", nameof(values));
        }

        Rows = rows;
        Columns = columns;
        _values = values;
    }

    /// <summary>Builds a matrix from row-major nested arrays (tests, small data).</summary>
    public static DenseMatrix FromRows(double[][] rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        int n = rows.Length;
        int p = n == 0 ? 0 : rows[0].Length;
        var values = new double[(long)n * p];
        for (int i = 0; i < n; i++)
        {
            if (rows[i].Length != p)
            {
                throw new ArgumentException($"Row {i} has {rows[i].Length} values, expected {p}.", nameof(rows));
            }

            for (int j = 0; j < p; j++)
            {
                values[((long)j * n) + i] = rows[i][j];
            }
        }

        return new DenseMatrix(n, p, values);
    }

    /// <inheritdoc/>
    public int Rows { get; }

    /// <inheritdoc/>
    public int Columns { get; }

    /// <inheritdoc/>
    public Precision Precision => Precision.Float64;

    /// <inheritdoc/>
    public long StorageBytes => (long)_values.Length * sizeof(double);

    /// <summary>The column-major values.</summary>
    public Memory<double> Values => _values;

    /// <summary>Element (i, j).</summary>
    public double this[int i, int j] => _values.Span[(j * Rows) + i];

    /// <inheritdoc/>
    public ReadOnlySpan<double> Column(int j, Span<double> scratch) => _values.Span.Slice(j * Rows, Rows);

    /// <inheritdoc/>
    public ReadOnlySpan<int> MissingRows(int j) => _missing is null ? [] : _missing[j];

    /// <inheritdoc/>
    public bool HasMissing => _missing is not null;

    private int[][]? _missing;

    /// <summary>
    /// Declares missing cells: <paramref name="missingRows"/>[j] lists the rows (increasing) of column j whose value is
    /// missing; those cells must hold 0. The kernels then impute them per problem (see <see cref="ColumnTransform.Fill"/>).
    /// </summary>
    public DenseMatrix WithMissing(int[][] missingRows)
    {
        ArgumentNullException.ThrowIfNull(missingRows);
        if (missingRows.Length != Columns)
        {
            throw new ArgumentException($"Expected {Columns} missing-row lists, got {missingRows.Length}.", nameof(missingRows));
        }

        _missing = missingRows.Any(m => m.Length > 0) ? missingRows : null;
        return this;
    }
}

/// <summary>A dense column-major float32 matrix; columns are widened to float64 on read.</summary>
public sealed class DenseMatrix32 : IColumnSource
{
    private readonly Memory<float> _values;

    /// <summary>Wraps column-major values without copying.</summary>
    public DenseMatrix32(int rows, int columns, Memory<float> values)
    {
        if (values.Length != (long)rows * columns)
        {
            throw new ArgumentException($"Expected {(long)rows * columns} values for a {rows} × {columns} matrix, got {values.Length}.", nameof(values));
        }

        Rows = rows;
        Columns = columns;
        _values = values;
    }

    /// <summary>Rounds a float64 matrix to float32.</summary>
    public static DenseMatrix32 FromDouble(DenseMatrix x)
    {
        ArgumentNullException.ThrowIfNull(x);
        var values = new float[x.Values.Length];
        System.Numerics.Tensors.TensorPrimitives.ConvertTruncating<double, float>(x.Values.Span, values);
        return new DenseMatrix32(x.Rows, x.Columns, values);
    }

    /// <inheritdoc/>
    public int Rows { get; }

    /// <inheritdoc/>
    public int Columns { get; }

    /// <inheritdoc/>
    public Precision Precision => Precision.Float32;

    /// <inheritdoc/>
    public long StorageBytes => (long)_values.Length * sizeof(float);

    /// <summary>The column-major values.</summary>
    public Memory<float> Values => _values;

    /// <inheritdoc/>
    public ReadOnlySpan<double> Column(int j, Span<double> scratch)
    {
        var dst = scratch[..Rows];
        System.Numerics.Tensors.TensorPrimitives.ConvertChecked<float, double>(_values.Span.Slice(j * Rows, Rows), dst);
        return dst;
    }

    /// <inheritdoc/>
    public ReadOnlySpan<int> MissingRows(int j) => [];

    /// <inheritdoc/>
    public bool HasMissing => false;
}
