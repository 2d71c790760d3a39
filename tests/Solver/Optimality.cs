using GpuEnet.Kernels;
using GpuEnet.Solver;
using GpuEnet.Solver.Model;

namespace GpuEnet.Tests.Solver;

/// <summary>Checks the KKT conditions of DESIGN.md's problem for a fitted path, computed plainly from X, y.</summary>
internal static class Optimality
{
    /// <summary>Largest KKT violation over features and λ, relative to the null-model gradient scale.</summary>
    public static double MaxKktViolation(IColumnSource x, double[] y, double[]? weights, EnetSettings s, EnetPath path)
    {
        int n = x.Rows, p = x.Columns;
        var w = weights is null ? Enumerable.Repeat(1.0 / n, n).ToArray() : weights.Select(v => v / weights.Sum()).ToArray();
        var scratch = new double[n];
        var mean = new double[p];
        var sd = new double[p];
        for (int j = 0; j < p; j++)
        {
            var c = x.Column(j, scratch);
            double m = 0;
            for (int i = 0; i < n; i++)
            {
                m += w[i] * c[i];
            }

            double v = 0;
            for (int i = 0; i < n; i++)
            {
                v += w[i] * (c[i] - m) * (c[i] - m);
            }

            mean[j] = m;
            sd[j] = Math.Sqrt(v);
        }

        var pf = GpuEnet.Solver.Path.PathSolver.RescaledPenalty(s.PenaltyFactor, p);
        double worst = 0;
        double scaleRef = 1e-300;
        for (int k = 0; k < path.Count; k++)
        {
            var beta = new double[p];
            path.Beta[k].ToDense(beta);
            var r = new double[n];
            for (int i = 0; i < n; i++)
            {
                r[i] = y[i] - path.Intercept[k];
            }

            for (int j = 0; j < p; j++)
            {
                if (beta[j] == 0)
                {
                    continue;
                }

                var c = x.Column(j, scratch);
                for (int i = 0; i < n; i++)
                {
                    r[i] -= beta[j] * c[i];
                }
            }

            double lambda = path.Lambda[k], a = path.L1Ratio;
            for (int j = 0; j < p; j++)
            {
                if (sd[j] == 0)
                {
                    continue;
                }

                var c = x.Column(j, scratch);
                double scale = s.Standardize ? sd[j] : 1;
                double g = 0;
                for (int i = 0; i < n; i++)
                {
                    g += w[i] * (c[i] - (s.Intercept ? mean[j] : 0)) / scale * r[i];
                }

                double bt = beta[j] * scale;
                double l1 = lambda * a * pf[j], l2 = lambda * (1 - a) * pf[j];
                double lower = s.Lower is null ? double.NegativeInfinity : s.Lower[j] * scale;
                double upper = s.Upper is null ? double.PositiveInfinity : s.Upper[j] * scale;
                double violation;
                double residualGrad = g - (l2 * bt);
                if (bt == 0)
                {
                    violation = Math.Max(0, Math.Max(upper > 0 ? residualGrad - l1 : 0, lower < 0 ? -residualGrad - l1 : 0));
                }
                else if (bt >= upper - 1e-12 || bt <= lower + 1e-12)
                {
                    violation = bt >= upper - 1e-12 ? Math.Max(0, -(residualGrad - l1)) : Math.Max(0, residualGrad + l1);
                }
                else
                {
                    violation = Math.Abs(residualGrad - (l1 * Math.Sign(bt)));
                }

                scaleRef = Math.Max(scaleRef, lambda * Math.Max(a, 1e-3) * pf[j]);
                worst = Math.Max(worst, violation);
            }
        }

        return worst / scaleRef;
    }
}
