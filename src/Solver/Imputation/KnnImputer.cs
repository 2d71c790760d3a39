using GpuEnet.Kernels;
using GpuEnet.Solver.Model;

namespace GpuEnet.Solver.Imputation;

/// <summary>
/// KNN imputation of one fill set: a missing x_ij takes the mean of x_dj over the K training rows d nearest to row i
/// among those where feature j is present. Distance: Σ_j (x_ij − x_dj)²/σ_j² over the features present in both rows
/// (σ_j the training sd), scaled by p / (number of such features), as a nan-Euclidean distance is; ties go to the
/// lower row index. A row never donates to itself. With draws, the cell takes one of those K donors at random instead.
/// </summary>
/// <remarks>
/// The distances are the backend's <see cref="IBoundDesign.RowDistances"/> (an n × n Gram-like pass, one read of X per
/// block of query rows); the host sorts each query's donors and reads every column once per block. Cost per fill set:
/// O(n_q · n · p) arithmetic, n_q the rows with a missing cell, and O(block · n) memory.
/// </remarks>
internal static class KnnImputer
{
    // Distances held at once (|block| × n values of 8 bytes, twice): 32 MiB each.
    private const long DistanceBlockValues = 4L << 20;

    public static CellImputerModel Fill(IBoundDesign design, CellFills cells, int set, double[] w, double[] mean, double[] sd,
        int neighbours, ImputationDraw draw, bool storeDonors)
    {
        int n = design.Rows, p = design.Columns;
        var weight = new double[p];
        for (int j = 0; j < p; j++)
        {
            weight[j] = sd[j] > 0 ? 1 / (sd[j] * sd[j]) : 0;
        }

        int[] donors = Enumerable.Range(0, n).Where(i => w[i] > 0).ToArray();
        int[] queries = cells.Row.Distinct().Order().ToArray();
        int block = (int)Math.Clamp(DistanceBlockValues / Math.Max(1, n), 1, Math.Max(1, queries.Length));
        var distance = new double[(long)block * n];
        var shared = new double[(long)block * n];
        var order = new int[block][];
        for (int start = 0; start < queries.Length; start += block)
        {
            int count = Math.Min(block, queries.Length - start);
            var rows = queries.AsSpan(start, count).ToArray();
            design.RowDistances(rows, weight, distance, shared);
            Parallel.For(0, count, q => order[q] = Nearest(rows[q], donors, distance.AsSpan(q * n, n), shared.AsSpan(q * n, n), p));
            Parallel.For(0, p, () => new double[n], (j, _, scratch) =>
            {
                FillColumn(design.Source, cells, set, j, rows, order, neighbours, draw, mean[j], scratch);
                return scratch;
            }, _ => { });
        }

        return new CellImputerModel
        {
            Method = ImputeStrategy.Knn,
            Neighbours = neighbours,
            ColumnWeights = weight,
            DonorCount = storeDonors ? donors.Length : 0,
            Donors = storeDonors ? DonorValues(design.Source, donors) : [],
        };
    }

    /// <summary>Donors of row <paramref name="row"/>, nearest first: training rows other than itself sharing a feature with it.</summary>
    public static int[] Nearest(int row, int[] donors, ReadOnlySpan<double> distance, ReadOnlySpan<double> shared, int p)
    {
        var keys = new List<(double Key, int Donor)>(donors.Length);
        foreach (int d in donors)
        {
            if (d != row && shared[d] > 0)
            {
                keys.Add((distance[d] * (p / shared[d]), d));
            }
        }

        keys.Sort();
        return keys.Select(k => k.Donor).ToArray();
    }

    // The cells of column j among the block's query rows: the first K donors (nearest first) with x_dj present.
    private static void FillColumn(IColumnSource source, CellFills cells, int set, int j, int[] rows, int[][] order, int neighbours,
        ImputationDraw draw, double fallback, double[] scratch)
    {
        var cellRows = cells.RowsOf(j);
        int from = LowerBound(cellRows, rows[0]);
        int to = LowerBound(cellRows, rows[^1] + 1);
        if (from >= to)
        {
            return;
        }

        var x = source.Column(j, scratch);
        var missing = source.MissingRows(j);
        var values = cells.ValuesOf(set, j);
        var picked = new double[neighbours];
        for (int c = from; c < to; c++)
        {
            int i = cellRows[c];
            int q = Array.BinarySearch(rows, i);
            if (q < 0)
            {
                continue; // not a query of this block (cannot happen: every row with a cell is a query)
            }

            int taken = 0;
            foreach (int d in order[q])
            {
                if (missing.BinarySearch(d) < 0)
                {
                    picked[taken++] = x[d];
                    if (taken == neighbours)
                    {
                        break;
                    }
                }
            }

            values[c] = taken == 0 ? fallback : Pick(picked.AsSpan(0, taken), draw, i, j);
        }
    }

    /// <summary>The mean of the donors' values, or with draws one of them at random.</summary>
    public static double Pick(ReadOnlySpan<double> values, ImputationDraw draw, int row, int column)
    {
        if (draw.Noise)
        {
            int k = (int)(ImputationRandom.Uniform(draw.Seed, draw.Index, row, column, 0) * values.Length);
            return values[Math.Min(k, values.Length - 1)];
        }

        double sum = 0;
        foreach (double v in values)
        {
            sum += v;
        }

        return sum / values.Length;
    }

    // Donor rows' values, feature-major, NaN where missing (what a model stores to impute new rows).
    private static double[] DonorValues(IColumnSource source, int[] donors)
    {
        int p = source.Columns;
        var values = new double[(long)p * donors.Length];
        var scratch = new double[source.Rows];
        for (int j = 0; j < p; j++)
        {
            var x = source.Column(j, scratch);
            var missing = source.MissingRows(j);
            for (int k = 0; k < donors.Length; k++)
            {
                values[((long)j * donors.Length) + k] = missing.BinarySearch(donors[k]) >= 0 ? double.NaN : x[donors[k]];
            }
        }

        return values;
    }

    private static int LowerBound(ReadOnlySpan<int> sorted, int value)
    {
        int at = sorted.BinarySearch(value);
        return at >= 0 ? at : ~at;
    }
}
