namespace GpuEnet.Kernels;

/// <summary>
/// Imputed values per missing cell and per problem (KNN, regression and multiple imputation): the k-th missing row of
/// column j (<see cref="IColumnSource.MissingRows"/>, increasing) is cell <c>Start[j] + k</c>, and in transform problem b
/// it takes <c>Value[Set[b]·Cells + Start[j] + k]</c>. Problems that learnt their fills from the same rows share one
/// set (the l1_ratios of one fold), so memory is cells × sets, not cells × problems. X itself is never copied.
/// </summary>
/// <remarks>
/// With cell fills, a missing x_ij of problem b counts as <c>ColumnTransform.Fill[j,b] + value</c>; the imputers set that
/// column fill to 0, so the cell takes its value exactly. Kernels add the cells' share as a sparse term after the dense
/// pass, which reads a missing cell as the column fill.
/// </remarks>
public sealed class CellFills
{
    /// <summary>The cell layout of <paramref name="source"/> with <paramref name="sets"/> fill sets; problem b uses set <paramref name="setOf"/>[b].</summary>
    public CellFills(IColumnSource source, int[] setOf, int sets)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(setOf);
        int p = source.Columns;
        Start = new int[p + 1];
        long cells = 0;
        for (int j = 0; j < p; j++)
        {
            Start[j] = checked((int)cells);
            cells += source.MissingCount(j);
        }

        Start[p] = checked((int)cells);
        Cells = (int)cells;
        Row = new int[Cells];
        for (int j = 0; j < p; j++)
        {
            source.MissingRows(j).CopyTo(Row.AsSpan(Start[j]));
        }

        Set = setOf;
        Sets = sets;
        Value = new double[(long)Cells * sets];
    }

    /// <summary>Missing cells in all of X.</summary>
    public int Cells { get; }

    /// <summary>Fill sets.</summary>
    public int Sets { get; }

    /// <summary>First cell of each column (p + 1 entries).</summary>
    public int[] Start { get; }

    /// <summary>Row of each cell.</summary>
    public int[] Row { get; }

    /// <summary>Fill set of each transform problem.</summary>
    public int[] Set { get; }

    /// <summary>Values, set-major: set s's cells at <c>[s·Cells, (s+1)·Cells)</c>.</summary>
    public double[] Value { get; }

    /// <summary>Rows of column <paramref name="j"/>'s cells.</summary>
    public ReadOnlySpan<int> RowsOf(int j) => Row.AsSpan(Start[j], Start[j + 1] - Start[j]);

    /// <summary>Values of column <paramref name="j"/>'s cells in fill set <paramref name="set"/>.</summary>
    public Span<double> ValuesOf(int set, int j) => Value.AsSpan((int)(((long)set * Cells) + Start[j]), Start[j + 1] - Start[j]);

    /// <summary>Σ over column j's cells of value · r[row] in transform problem <paramref name="problem"/>.</summary>
    public double Dot(int problem, int j, ReadOnlySpan<double> r)
    {
        var rows = RowsOf(j);
        var values = ValuesOf(Set[problem], j);
        double sum = 0;
        for (int k = 0; k < rows.Length; k++)
        {
            sum += values[k] * r[rows[k]];
        }

        return sum;
    }

    /// <summary>Σ over column j's cells of value · w[row] · r[row] in transform problem <paramref name="problem"/>.</summary>
    public double WeightedDot(int problem, int j, ReadOnlySpan<double> w, ReadOnlySpan<double> r)
    {
        var rows = RowsOf(j);
        var values = ValuesOf(Set[problem], j);
        double sum = 0;
        for (int k = 0; k < rows.Length; k++)
        {
            sum += values[k] * w[rows[k]] * r[rows[k]];
        }

        return sum;
    }

    /// <summary>r[row] −= a · value over column j's cells in transform problem <paramref name="problem"/>.</summary>
    public void Subtract(int problem, int j, double a, Span<double> r)
    {
        var rows = RowsOf(j);
        var values = ValuesOf(Set[problem], j);
        for (int k = 0; k < rows.Length; k++)
        {
            r[rows[k]] -= a * values[k];
        }
    }

    /// <summary>(Σ w (v − c), Σ w (v − c)²) over column j's cells in transform problem <paramref name="problem"/>.</summary>
    public (double First, double Second) CentredMoments(int problem, int j, ReadOnlySpan<double> w, double c)
    {
        var rows = RowsOf(j);
        var values = ValuesOf(Set[problem], j);
        double first = 0, second = 0;
        for (int k = 0; k < rows.Length; k++)
        {
            double d = values[k] - c;
            double wd = w[rows[k]] * d;
            first += wd;
            second += wd * d;
        }

        return (first, second);
    }
}
