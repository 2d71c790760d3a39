namespace GpuEnet.Host.ModelFile;

/// <summary>
/// A model file that cannot be read: not a GpuEnet model, written by a newer major version, truncated, or damaged.
/// The message is one sentence meant for the user; it names the file when the reader was given a path.
/// </summary>
public sealed class ModelFormatException : Exception
{
    /// <summary>Creates the error.</summary>
    public ModelFormatException()
        : this("The model file is not valid.")
    {
    }

    /// <summary>Creates the error.</summary>
    /// <param name="message">A sentence a user understands.</param>
    public ModelFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the error.</summary>
    /// <param name="message">A sentence a user understands.</param>
    /// <param name="innerException">The lower-level failure, kept for diagnostics.</param>
    public ModelFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
