namespace GpuEstimation;

/// <summary>
/// Bad input: a file, column, row, parameter or value that cannot be used. The message is one line that names what is
/// wrong and where, in the library's terms (parameter and column names, never command-line options);
/// <see cref="ArgumentException.ParamName"/> carries the parameter or column concerned where there is one. The
/// <c>gpuest</c> command prints the message and exits with code 2.
/// </summary>
public sealed class InputException : ArgumentException
{
    private readonly string _message;

    /// <summary>Bad input described by <paramref name="message"/>.</summary>
    public InputException(string message)
        : this(message, null)
    {
    }

    /// <summary>Bad input concerning <paramref name="paramName"/> (a model parameter, column or argument name).</summary>
    public InputException(string message, string? paramName)
        : base(message, paramName)
    {
        _message = message;
    }

    /// <summary>
    /// Lines to show under the message, where a picture says where (an expression with a caret under the place of a
    /// syntax error); null for most errors. The message stays one line and says the place in words too.
    /// </summary>
    public string? Display { get; init; }

    /// <summary>
    /// Whether the input lacks a value where one is needed (an empty or NA cell, a null, a NaN): a front end may say how
    /// such rows can be left out (<c>GpuEstimation.Data.MissingValues.Drop</c>).
    /// </summary>
    public bool MissingValue { get; init; }

    /// <summary>
    /// The column, where the input has text in a column read as numbers (a cell that is not a number and not a missing
    /// value): a front end that can read the column as a factor may say how; null otherwise.
    /// </summary>
    public string? TextColumn { get; init; }

    /// <summary>The one-line message, without the "(Parameter ...)" suffix that <see cref="ArgumentException"/> adds.</summary>
    public override string Message => _message;
}
