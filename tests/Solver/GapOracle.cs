using GpuEnet.Kernels;
using GpuEnet.Solver.Model;

namespace GpuEnet.Tests.Solver;

/// <summary>
/// The duality gap of DESIGN.md's problem computed from scratch from X, y, the weights and a reported (intercept, β):
/// primal objective minus the dual objective at a feasible dual point, the scaled residual θ = s·r. Written without
/// the solver's code or its gradients, as the textbook primal/dual pair: with x̃ the standardised centred columns,
/// ỹ = y − ȳ and h_j(b) = λ v_j (a|b| + (1−a)/2 b²),
/// <c>P = ½ Σ w r² + Σ h_j(β̃_j)</c> and <c>D(θ) = ½‖ỹ‖²_W − ½‖ỹ − θ‖²_W − Σ h_j*(x̃_jᵀWθ)</c>, where θ is centred
/// (the intercept's constraint Σ w θ = 0) and s ≤ 1 the largest scaling that keeps every h_j* finite — and, with a ridge
/// part, also the lasso scaling s = min λa v_j/|g_j| (both are feasible; the smaller gap is the better bound).
/// Standardisation and intercept on, no bounds, every penalty factor positive.
/// </summary>
internal static class GapOracle
{
    /// <summary>(P − D) / null deviance at λ index <paramref name="k"/> of <paramref name="path"/>, and P / null deviance.</summary>
    public static (double Gap, double Primal) At(IColumnSource x, double[] y, double[]? weights, double[]? penaltyFactor, EnetPath path, int k)
    {
        int n = x.Rows, p = x.Columns;
        double total = weights?.Sum() ?? n;
        var w = Enumerable.Range(0, n).Select(i => (weights?[i] ?? 1) / total).ToArray();
        double pfSum = penaltyFactor?.Sum() ?? p;
        var v = Enumerable.Range(0, p).Select(j => (penaltyFactor?[j] ?? 1) * p / pfSum).ToArray();
        double lambda = path.Lambda[k], a = path.L1Ratio;
        var beta = new double[p];
        path.Beta[k].ToDense(beta);

        var columns = new double[p][];
        var mean = new double[p];
        var sd = new double[p];
        for (int j = 0; j < p; j++)
        {
            columns[j] = x.Column(j, new double[n]).ToArray();
            mean[j] = Enumerable.Range(0, n).Sum(i => w[i] * columns[j][i]);
            sd[j] = Math.Sqrt(Enumerable.Range(0, n).Sum(i => w[i] * (columns[j][i] - mean[j]) * (columns[j][i] - mean[j])));
        }

        double yMean = Enumerable.Range(0, n).Sum(i => w[i] * y[i]);
        var r = new double[n];
        for (int i = 0; i < n; i++)
        {
            double fit = path.Intercept[k];
            for (int j = 0; j < p; j++)
            {
                fit += beta[j] * columns[j][i];
            }

            r[i] = y[i] - fit;
        }

        double penalty = 0;
        for (int j = 0; j < p; j++)
        {
            double bt = beta[j] * sd[j];
            penalty += lambda * v[j] * ((a * Math.Abs(bt)) + ((1 - a) / 2 * bt * bt));
        }

        double primal = (0.5 * Enumerable.Range(0, n).Sum(i => w[i] * r[i] * r[i])) + penalty;

        double rMean = Enumerable.Range(0, n).Sum(i => w[i] * r[i]);
        var theta = r.Select(ri => ri - rMean).ToArray();
        var g = new double[p];
        for (int j = 0; j < p; j++)
        {
            g[j] = sd[j] == 0 ? 0 : Enumerable.Range(0, n).Sum(i => w[i] * (columns[j][i] - mean[j]) / sd[j] * theta[i]);
        }

        double lassoS = 1;
        for (int j = 0; j < p; j++)
        {
            if (a > 0 && Math.Abs(g[j]) > lambda * a * v[j])
            {
                lassoS = Math.Min(lassoS, lambda * a * v[j] / Math.Abs(g[j]));
            }
        }

        double yy = Enumerable.Range(0, n).Sum(i => w[i] * (y[i] - yMean) * (y[i] - yMean));
        double Dual(double s)
        {
            double conjugates = 0;
            for (int j = 0; j < p; j++)
            {
                double z = Math.Max(0, Math.Abs(s * g[j]) - (lambda * a * v[j]));
                conjugates += a == 1 ? 0 : z * z / (2 * lambda * (1 - a) * v[j]);
            }

            double shifted = Enumerable.Range(0, n).Sum(i => w[i] * (y[i] - yMean - (s * theta[i])) * (y[i] - yMean - (s * theta[i])));
            return (0.5 * yy) - (0.5 * shifted) - conjugates;
        }

        double dual = a == 1 ? Dual(lassoS) : Math.Max(Dual(1), Dual(lassoS));
        return ((primal - dual) / yy, primal / yy);
    }
}
