using GpuEnet.Kernels;

namespace GpuEnet.Tests.Kernels;

/// <summary>The kernel contract written as plainly as possible: the oracle the backends are compared against.</summary>
internal static class ReferenceKernels
{
    public static double X(IColumnSource x, int i, int j) => x.Column(j, new double[x.Rows])[i];

    public static bool IsMissing(IColumnSource x, int i, int j) => x.MissingRows(j).Contains(i);

    public static void ColumnMoments(IColumnSource x, double[] weights, int batch, double[]? centre,
        double[] presentWeight, double[] sum, double[] sumSquares)
    {
        int n = x.Rows, p = x.Columns;
        for (int b = 0; b < batch; b++)
        {
            for (int j = 0; j < p; j++)
            {
                double weight = 0, first = 0, second = 0;
                for (int i = 0; i < n; i++)
                {
                    if (IsMissing(x, i, j))
                    {
                        continue; // moments are over the present cells only
                    }

                    double w = weights[(b * n) + i];
                    double v = X(x, i, j);
                    weight += w;
                    first += w * v;
                    if (centre is not null)
                    {
                        double d = v - centre[(b * p) + j];
                        second += w * d * d;
                    }
                }

                presentWeight[(b * p) + j] = weight;
                sum[(b * p) + j] = first;
                if (centre is not null)
                {
                    sumSquares[(b * p) + j] = second;
                }
            }
        }
    }

    /// <summary>x̃_ij for residual column q: transform problem <c>transform.Problem(q)</c>, a missing cell taking its Fill.</summary>
    public static double Transformed(IColumnSource x, ColumnTransform? transform, int i, int j, int q)
    {
        double v = X(x, i, j);
        if (transform is null)
        {
            return v; // a missing cell is stored as 0
        }

        int at = (transform.Problem(q) * x.Columns) + j;
        if (IsMissing(x, i, j))
        {
            v = FillOf(x, transform, transform.Problem(q), i, j);
        }

        return (v - transform.Centre[at]) * transform.InverseScale[at];
    }

    /// <summary>The value a missing x_ij takes in transform problem <paramref name="problem"/>: its Fill, plus its cell value.</summary>
    public static double FillOf(IColumnSource x, ColumnTransform transform, int problem, int i, int j)
    {
        double v = transform.Fill[(problem * x.Columns) + j];
        if (transform.Cells is { } cells)
        {
            int k = x.MissingRows(j).IndexOf(i);
            v += cells.Value[(cells.Set[problem] * (long)cells.Cells) + cells.Start[j] + k];
        }

        return v;
    }

    public static double[] BatchedGradient(IColumnSource x, int[] columns, double[] residuals, int batch, ColumnTransform? transform)
    {
        int n = x.Rows;
        int[] list = columns.Length == 0 ? Enumerable.Range(0, x.Columns).ToArray() : columns;
        var g = new double[list.Length * batch];
        for (int b = 0; b < batch; b++)
        {
            for (int k = 0; k < list.Length; k++)
            {
                double s = 0;
                for (int i = 0; i < n; i++)
                {
                    s += Transformed(x, transform, i, list[k], b) * residuals[(b * n) + i];
                }

                g[(b * list.Length) + k] = s;
            }
        }

        return g;
    }

    /// <summary>
    /// DescentBatch's documented semantics, one coordinate at a time. As the CPU backend: an entry with Curvature ≤ 0 or
    /// InverseScale = 0 is skipped (β unchanged, no change counted); an empty active set is one sweep.
    /// </summary>
    public static void ActiveSetDescent(IColumnSource x, DescentBatch work)
    {
        int n = x.Rows;
        for (int b = 0; b < work.Batch; b++)
        {
            int sweeps = 0;
            bool converged = false;
            while (sweeps < work.MaxSweeps)
            {
                double maxChange = 0;
                for (int e = work.Offsets[b]; e < work.Offsets[b + 1]; e++)
                {
                    int j = work.Feature[e];
                    long at = work.TransformAt(b, j);
                    double inverseScale = work.Transform.InverseScale[at];
                    if (work.Curvature[e] <= 0 || inverseScale == 0)
                    {
                        continue;
                    }

                    double Xt(int i) => ((IsMissing(x, i, j) ? FillOf(x, work.Transform, work.Transform.Problem(b), i, j) : X(x, i, j)) - work.Transform.Centre[at]) * inverseScale;
                    double g = 0;
                    for (int i = 0; i < n; i++)
                    {
                        g += work.Weights[(b * n) + i] * Xt(i) * work.Residual[(b * n) + i];
                    }

                    double old = work.Beta[e];
                    double z = g + (work.Curvature[e] * old);
                    double shrunk = Math.Max(Math.Abs(z) - work.L1At(b, j), 0) * Math.Sign(z);
                    double updated = Math.Clamp(shrunk / (work.Curvature[e] + work.L2At(b, j)), work.LowerAt(b, j, inverseScale), work.UpperAt(b, j, inverseScale));
                    double delta = updated - old;
                    for (int i = 0; i < n; i++)
                    {
                        work.Residual[(b * n) + i] -= delta * Xt(i);
                    }

                    work.Beta[e] = updated;
                    maxChange = Math.Max(maxChange, work.Curvature[e] * delta * delta);
                }

                sweeps++;
                if (maxChange < work.Tolerance[b])
                {
                    converged = true;
                    break;
                }
            }

            double wrs = 0;
            for (int i = 0; i < n; i++)
            {
                wrs += work.Weights[(b * n) + i] * work.Residual[(b * n) + i];
            }

            work.WeightedResidualSum[b] = wrs;
            work.Sweeps[b] = sweeps;
            work.Converged[b] = converged;
        }
    }
}
