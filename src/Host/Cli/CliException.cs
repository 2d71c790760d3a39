namespace GpuEnet.Host.Cli;

/// <summary>A user-facing error: printed as one sentence on stderr, exit code 2 (bad usage) or 1 (bad data).</summary>
public sealed class CliException : Exception
{
    /// <summary>Creates the error.</summary>
    public CliException(string message, int exitCode = 1) : base(message) => ExitCode = exitCode;

    /// <summary>Creates the error.</summary>
    public CliException() : this("error") { }

    /// <summary>Creates the error.</summary>
    public CliException(string message, Exception inner) : base(message, inner) => ExitCode = 1;

    /// <summary>Process exit code.</summary>
    public int ExitCode { get; }

    /// <summary>The sentence of an <see cref="ArgumentException"/> without the parameter name .NET appends to it.</summary>
    public static string SentenceOf(ArgumentException e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return e.ParamName is { } name ? e.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal) : e.Message;
    }
}
