using System.Text;
using GpuEnet.Host.Cli;

namespace GpuEnet.Host.Data;

/// <summary>Builds the one-sentence <see cref="CliException"/> messages of the readers.</summary>
internal static class DataErrors
{
    /// <summary>An error about a place in a text file: <c>'f.csv' line 7, column 'age': what.</c></summary>
    public static CliException At(string file, long line, string? column, string what) =>
        new(column is null ? $"'{file}' line {line}: {what}" : $"'{file}' line {line}, column '{Printable(column)}': {what}");

    /// <summary>An error about a cell of a binary matrix: <c>'X.npy' row 7, column 'x3': what.</c></summary>
    public static CliException AtRow(string file, long row, string column, string what) =>
        new($"'{file}' row {row}, column '{Printable(column)}': {what}");

    /// <summary>An error about a file as a whole.</summary>
    public static CliException File(string file, string what) => new($"'{file}' {what}");

    /// <summary>The text of a cell, shortened and quoted, for messages.</summary>
    public static string Show(ReadOnlySpan<byte> cell)
    {
        string s = Encoding.UTF8.GetString(cell.Length > 40 ? cell[..40] : cell);
        return cell.Length > 40 ? $"'{Printable(s)}…'" : $"'{Printable(s)}'";
    }

    /// <summary>The text of a cell, shortened and quoted, for messages.</summary>
    public static string Show(ReadOnlySpan<char> cell) =>
        cell.Length > 40 ? $"'{Printable(cell[..40])}…'" : $"'{Printable(cell)}'";

    /// <summary>Control characters (and undecodable bytes) as <c>\xNN</c> / <c>\uFFFD</c>: nothing raw reaches the terminal.</summary>
    public static string Printable(ReadOnlySpan<char> text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (char c in text)
        {
            if (char.IsControl(c) || c == '\uFFFD')
            {
                sb.Append(System.Globalization.CultureInfo.InvariantCulture, $"\\x{(int)c:X2}");
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }

    /// <summary>A few names for "known columns are …" hints.</summary>
    public static string List(IReadOnlyList<string> names)
    {
        var sb = new StringBuilder();
        int shown = Math.Min(names.Count, 8);
        for (int k = 0; k < shown; k++)
        {
            sb.Append(k == 0 ? "'" : ", '").Append(Printable(names[k])).Append('\'');
        }

        if (names.Count > shown)
        {
            sb.Append(", … (").Append(names.Count).Append(" in all)");
        }

        return sb.ToString();
    }
}
