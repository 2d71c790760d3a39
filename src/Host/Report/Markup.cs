using System.Globalization;
using System.Text;

namespace GpuEnet.Host.Report;

/// <summary>Escaping and number formatting shared by the HTML and SVG writers.</summary>
internal static class Markup
{
    /// <summary>
    /// Escapes text for HTML and XML content and attribute values alike. Characters that XML 1.0 forbids
    /// (most control characters, lone surrogates) become U+FFFD so every SVG stays well-formed.
    /// </summary>
    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }

        StringBuilder? sb = null;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            string? replacement = c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                _ => null,
            };
            if (replacement is null && !IsXmlChar(text, i))
            {
                replacement = "\uFFFD";
            }
            else if (replacement is null && char.IsHighSurrogate(c))
            {
                // A valid pair: copy both halves.
                if (sb is not null)
                {
                    sb.Append(c).Append(text[i + 1]);
                }

                i++;
                continue;
            }

            if (replacement is not null)
            {
                sb ??= new StringBuilder(text, 0, i, text.Length + 16);
                sb.Append(replacement);
            }
            else
            {
                sb?.Append(c);
            }
        }

        return sb?.ToString() ?? text;
    }

    private static bool IsXmlChar(string text, int i)
    {
        char c = text[i];
        if (char.IsHighSurrogate(c))
        {
            return i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]);
        }

        if (char.IsLowSurrogate(c))
        {
            return false;
        }

        return c is '\t' or '\n' or '\r' || (c >= 0x20 && c != '\uFFFE' && c != '\uFFFF');
    }

    /// <summary>A coordinate with one decimal, invariant culture.</summary>
    public static string Coord(double v) => double.IsFinite(v) ? Math.Round(v, 1).ToString("0.#", CultureInfo.InvariantCulture) : "0";

    /// <summary>A value with about <paramref name="digits"/> significant digits; scientific notation for very large or small values.</summary>
    public static string Number(double v, int digits = 4)
    {
        if (double.IsNaN(v))
        {
            return "NaN";
        }

        if (double.IsInfinity(v))
        {
            return v > 0 ? "∞" : "−∞";
        }

        if (v == 0)
        {
            return "0";
        }

        double a = Math.Abs(v);
        string s = a >= 1e6 || a < 1e-3
            ? v.ToString("0." + new string('#', Math.Max(0, digits - 1)) + "e+0", CultureInfo.InvariantCulture)
            : v.ToString("G" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        return s.Replace('-', '−');
    }

    /// <summary>A tick label with a fixed number of decimals, using a true minus sign.</summary>
    public static string Tick(double v, int decimals) =>
        v.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture).Replace('-', '−');

    /// <summary>An integer with thousands separators.</summary>
    public static string Count(long v) => v.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>Seconds, with a unit.</summary>
    public static string Seconds(double s) => !double.IsFinite(s) || s <= 0 ? "—" : s < 1 ? Number(s * 1000, 3) + " ms" : Number(s, 3) + " s";
}
