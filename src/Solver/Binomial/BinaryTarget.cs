using System.Globalization;
using GpuEnet.Solver.Model;

namespace GpuEnet.Solver.Binomial;

/// <summary>Codes a two-class target as 0/1: the two distinct values in sorted order (the smaller is 0).</summary>
public static class BinaryTarget
{
    /// <summary>
    /// The target coded 0/1 and its labels. Rows of weight 0 take part (they may be predicted) but must hold one of the two
    /// classes too. A target that is already coded (<paramref name="labels"/> given) is only checked.
    /// </summary>
    /// <exception cref="ArgumentException">One class, or more than two.</exception>
    public static (double[] Coded, ClassLabels Labels) Code(double[] y, ClassLabels? labels)
    {
        ArgumentNullException.ThrowIfNull(y);
        var distinct = y.Distinct().Order().ToArray();
        if (distinct.Length > 2)
        {
            throw new ArgumentException($"The binomial family needs a target with two classes, but it holds {distinct.Length} distinct values ({string.Join(", ", distinct.Take(4).Select(Format))}{(distinct.Length > 4 ? ", …" : "")}).");
        }

        if (distinct.Length < 2)
        {
            throw new ArgumentException($"The binomial family needs a target with two classes, but every row holds {(distinct.Length == 0 ? "nothing" : Format(distinct[0]))}.");
        }

        if (labels is not null)
        {
            if (distinct[0] != 0 || distinct[1] != 1)
            {
                throw new ArgumentException("A target with class labels must be coded 0/1.");
            }

            return (y, labels);
        }

        var coded = y.Select(v => v == distinct[0] ? 0.0 : 1.0).ToArray();
        return (coded, new ClassLabels(Format(distinct[0]), Format(distinct[1])));
    }

    private static string Format(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
