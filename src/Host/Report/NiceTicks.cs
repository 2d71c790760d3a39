namespace GpuEnet.Host.Report;

/// <summary>An axis range widened to round numbers, with its tick positions.</summary>
/// <param name="Min">Lower end of the axis (a multiple of <paramref name="Step"/>).</param>
/// <param name="Max">Upper end of the axis (a multiple of <paramref name="Step"/>).</param>
/// <param name="Step">Distance between ticks: 1, 2, 2.5 or 5 times a power of ten.</param>
/// <param name="Ticks">Tick positions from <paramref name="Min"/> to <paramref name="Max"/>.</param>
internal sealed record NiceScale(double Min, double Max, double Step, double[] Ticks)
{
    /// <summary>Decimals needed to print every tick distinctly.</summary>
    public int Decimals => Step >= 1 ? 0 : Math.Min(10, (int)Math.Ceiling(-Math.Log10(Step) - 1e-9) + (IsQuarterStep ? 1 : 0));

    private bool IsQuarterStep
    {
        get
        {
            double mantissa = Step / Math.Pow(10, Math.Floor(Math.Log10(Step)));
            return Math.Abs(mantissa - 2.5) < 1e-9;
        }
    }
}

/// <summary>
/// Round-number axis ticks ("nice numbers"): the step is chosen from 1, 2, 2.5, 5 × 10^k so that the data range
/// is covered by about the requested number of intervals.
/// </summary>
internal static class NiceTicks
{
    private static readonly double[] s_mantissas = [1, 2, 2.5, 5, 10];

    /// <summary>
    /// A scale covering [<paramref name="lo"/>, <paramref name="hi"/>] with about <paramref name="intervals"/> intervals.
    /// A degenerate range (lo = hi) is widened around its value; non-finite input gives the scale [0, 1].
    /// </summary>
    public static NiceScale Compute(double lo, double hi, int intervals = 5)
    {
        if (!double.IsFinite(lo) || !double.IsFinite(hi))
        {
            lo = 0;
            hi = 1;
        }

        if (lo > hi)
        {
            (lo, hi) = (hi, lo);
        }

        if (hi - lo < 1e-12 * Math.Max(1, Math.Max(Math.Abs(lo), Math.Abs(hi))))
        {
            double pad = lo == 0 ? 1 : Math.Abs(lo) * 0.1;
            lo -= pad;
            hi += pad;
        }

        intervals = Math.Max(1, intervals);
        double raw = (hi - lo) / intervals;
        double power = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step = power * 10;
        foreach (double m in s_mantissas)
        {
            if (m * power >= raw * (1 - 1e-9))
            {
                step = m * power;
                break;
            }
        }

        // Snap the ends outward to multiples of the step; the small tolerance keeps an end that already
        // is a multiple (up to rounding) from gaining a whole extra interval.
        double min = Math.Floor((lo / step) + 1e-9) * step;
        double max = Math.Ceiling((hi / step) - 1e-9) * step;
        int count = (int)Math.Round((max - min) / step) + 1;
        var ticks = new double[count];
        for (int i = 0; i < count; i++)
        {
            double t = min + (i * step);
            ticks[i] = Math.Abs(t) < step * 1e-9 ? 0 : t;
        }

        return new NiceScale(min, max, step, ticks);
    }

    /// <summary>
    /// Like <see cref="Compute"/>, but the axis spans exactly [<paramref name="lo"/>, <paramref name="hi"/>] and only the
    /// round ticks inside it are kept: for an axis such as log λ where padding would suggest values that were never fitted.
    /// </summary>
    public static NiceScale Tight(double lo, double hi, int intervals = 5)
    {
        NiceScale nice = Compute(lo, hi, intervals);
        if (!double.IsFinite(lo) || !double.IsFinite(hi) || hi - lo <= 0)
        {
            return nice;
        }

        double slack = nice.Step * 1e-6;
        return new NiceScale(lo, hi, nice.Step, [.. nice.Ticks.Where(t => t >= lo - slack && t <= hi + slack)]);
    }
}
