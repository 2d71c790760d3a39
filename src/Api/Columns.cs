using GpuEnet.Kernels;

namespace GpuEnet;

/// <summary>Dense inputs as a column-major <see cref="DenseMatrix"/>, NaN cells declared missing (stored as 0).</summary>
internal static class Columns
{
    public static DenseMatrix FromRows(double[,] x)
    {
        ArgumentNullException.ThrowIfNull(x);
        int n = x.GetLength(0), p = x.GetLength(1);
        var values = new double[checked(n * p)];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < p; j++)
            {
                values[(j * n) + i] = x[i, j];
            }
        }

        return WithMissing(n, p, values);
    }

    public static DenseMatrix FromColumns(IReadOnlyList<double[]> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        int p = columns.Count;
        int n = p == 0 ? 0 : columns[0].Length;
        var values = new double[checked(n * p)];
        for (int j = 0; j < p; j++)
        {
            if (columns[j] is not { } c || c.Length != n)
            {
                throw new ArgumentException($"Column {j} has {columns[j]?.Length ?? 0} values; every column needs {n}.", nameof(columns));
            }

            c.CopyTo(values, j * n);
        }

        return WithMissing(n, p, values);
    }

    private static DenseMatrix WithMissing(int n, int p, double[] values)
    {
        var missing = new int[p][];
        for (int j = 0; j < p; j++)
        {
            var rows = new List<int>();
            for (int i = 0; i < n; i++)
            {
                double v = values[(j * n) + i];
                if (double.IsNaN(v))
                {
                    rows.Add(i);
                    values[(j * n) + i] = 0;
                }
                else if (double.IsInfinity(v))
                {
                    throw new ArgumentException($"Row {i + 1}, column {j + 1}: the value is not finite.");
                }
            }

            missing[j] = [.. rows];
        }

        return new DenseMatrix(n, p, values).WithMissing(missing);
    }
}
