namespace GpuEstimation;

/// <summary>
/// Bad input from the user: a file, column, row, parameter or option that cannot be used. The message is one line
/// that names what is wrong; the CLI prints it and exits with code 2.
/// </summary>
public sealed class InputException(string message) : Exception(message);
