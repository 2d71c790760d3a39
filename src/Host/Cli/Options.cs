using System.Globalization;

namespace GpuEnet.Host.Cli;

/// <summary>
/// Parsed <c>--name value</c> and <c>--flag</c> options of one command, as declared in <see cref="Commands"/>; the raw
/// values, read by name with typed accessors (values are checked by the declarations when parsed).
/// </summary>
public sealed class Options
{
    private readonly Dictionary<string, string?> _values;
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    private Options(string command, Dictionary<string, string?> values)
    {
        Command = command;
        _values = values;
    }

    /// <summary>
    /// Parses the arguments of <paramref name="command"/> (those after its name) against its declaration in
    /// <see cref="Commands"/>: an unknown option, an option given twice, a missing value or a value its declaration
    /// refuses is a <see cref="CliException"/> (exit code 2) naming the option.
    /// </summary>
    public static Options Parse(string command, IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var declaration = Commands.Find(command) ?? throw new CliException($"gpuenet has no command '{command}'.", 2);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string a in args)
        {
            if (a.StartsWith("--", StringComparison.Ordinal))
            {
                string name = a[2..].Split('=', 2)[0];
                if (declaration.Options.Any(o => o.Name == "--" + name) && !seen.Add(name))
                {
                    throw new CliException($"Option '--{name}' is given twice; give it once.", 2);
                }
            }
        }

        var result = declaration.Parse(args.ToArray());
        foreach (var token in result.UnmatchedTokens)
        {
            throw new CliException(token.StartsWith("--", StringComparison.Ordinal)
                ? $"Unknown option '{token.Split('=', 2)[0]}' for 'gpuenet {command}' (see 'gpuenet {command} --help')."
                : $"Unexpected argument '{token}' for 'gpuenet {command}' (see 'gpuenet {command} --help').", 2);
        }

        foreach (var error in result.Errors)
        {
            // A value option followed by nothing (or by another option) is System.CommandLine's "required argument missing".
            var missing = result.CommandResult.Children.OfType<System.CommandLine.Parsing.OptionResult>()
                .FirstOrDefault(o => o.Tokens.Count == 0 && o.Option.Arity.MinimumNumberOfValues > 0);
            throw new CliException(missing is not null ? $"Option '{missing.Option.Name}' needs a value." : error.Message, 2);
        }

        var values = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var option in result.CommandResult.Children.OfType<System.CommandLine.Parsing.OptionResult>())
        {
            if (option.Implicit)
            {
                continue;
            }

            values[option.Option.Name[2..]] = option.Tokens.Count == 0 ? "true" : option.Tokens[0].Value;
        }

        return new Options(command, values);
    }

    /// <summary>true|false (and their usual spellings), or null for anything else.</summary>
    public static bool? ParseBool(string value) => value switch
    {
        "true" or "TRUE" or "True" or "1" or "yes" => true,
        "false" or "FALSE" or "False" or "0" or "no" => false,
        _ => null,
    };

    /// <summary>The command these options belong to.</summary>
    public string Command { get; }

    /// <summary>True when the option was given.</summary>
    public bool Has(string name) => _values.ContainsKey(name);

    /// <summary>The raw value, or null.</summary>
    public string? Get(string name)
    {
        _read.Add(name);
        return _values.TryGetValue(name, out var v) ? v : null;
    }

    /// <summary>The raw value; a <see cref="CliException"/> when absent.</summary>
    public string Require(string name) =>
        Get(name) ?? throw new CliException($"'gpuenet {Command}' needs --{name} (see 'gpuenet {Command} --help').", 2);

    /// <summary>A flag or true|false option.</summary>
    public bool Bool(string name, bool fallback)
    {
        string? v = Get(name);
        return v is null ? fallback
            : ParseBool(v) ?? throw new CliException($"Option --{name} must be true or false, got '{v}'.", 2);
    }

    /// <summary>A floating-point option.</summary>
    public double Double(string name, double fallback)
    {
        string? v = Get(name);
        return v is null ? fallback : ParseDouble(name, v);
    }

    /// <summary>An integer option.</summary>
    public int Int(string name, int fallback)
    {
        string? v = Get(name);
        if (v is null)
        {
            return fallback;
        }

        return int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int r)
            ? r
            : throw new CliException($"Option --{name} must be a whole number, got '{v}'.", 2);
    }

    /// <summary>A comma-separated list of numbers, or null when absent.</summary>
    public double[]? DoubleList(string name)
    {
        string? v = Get(name);
        return v?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(s => ParseDouble(name, s)).ToArray();
    }

    private static double ParseDouble(string name, string v) =>
        double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double r)
            ? r
            : throw new CliException($"Option --{name} must be a number, got '{v}'.", 2);
}
