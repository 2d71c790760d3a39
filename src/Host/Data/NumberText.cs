using System.Globalization;
using System.Text;

namespace GpuEnet.Host.Data;

/// <summary>How a text cell reads as a number.</summary>
internal enum CellKind
{
    /// <summary>A finite number.</summary>
    Number,

    /// <summary>Empty, <c>NA</c>, <c>N/A</c> or <c>NaN</c> (any case).</summary>
    Missing,

    /// <summary>A number that is infinite.</summary>
    Infinite,

    /// <summary>Not a number at all.</summary>
    Text,
}

/// <summary>Invariant-culture number parsing of text cells, without allocating.</summary>
internal static class NumberText
{
    /// <summary>Reads a UTF-8 cell; surrounding blanks are allowed.</summary>
    public static CellKind Parse(ReadOnlySpan<byte> cell, out double value)
    {
        if (double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out value))
        {
            return double.IsFinite(value) ? CellKind.Number : double.IsNaN(value) ? CellKind.Missing : CellKind.Infinite;
        }

        var t = cell[Ascii.Trim(cell)];
        value = 0;
        return t.IsEmpty || Ascii.EqualsIgnoreCase(t, "NA"u8) || Ascii.EqualsIgnoreCase(t, "NaN"u8) || Ascii.EqualsIgnoreCase(t, "N/A"u8)
            ? CellKind.Missing
            : CellKind.Text;
    }

    /// <summary>Reads a UTF-16 cell; surrounding blanks are allowed.</summary>
    public static CellKind Parse(ReadOnlySpan<char> cell, out double value)
    {
        if (double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out value))
        {
            return double.IsFinite(value) ? CellKind.Number : double.IsNaN(value) ? CellKind.Missing : CellKind.Infinite;
        }

        var t = cell.Trim();
        value = 0;
        return t.IsEmpty || t.Equals("NA", StringComparison.OrdinalIgnoreCase) || t.Equals("NaN", StringComparison.OrdinalIgnoreCase)
            || t.Equals("N/A", StringComparison.OrdinalIgnoreCase)
            ? CellKind.Missing
            : CellKind.Text;
    }
}
