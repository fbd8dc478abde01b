namespace GpuEstimation.Expressions;

/// <summary>The parsed text of an expression, before its names are bound; each node keeps its position for messages.</summary>
internal abstract record Syntax(int Position);

internal sealed record NumberSyntax(double Value, int Position) : Syntax(Position);

internal sealed record NameSyntax(string Name, int Position, bool Quoted = false) : Syntax(Position);

internal sealed record CallSyntax(string Name, IReadOnlyList<Syntax> Arguments, int Position) : Syntax(Position);

internal sealed record UnarySyntax(char Operator, Syntax Operand, int Position) : Syntax(Position);

internal sealed record BinarySyntax(char Operator, Syntax Left, Syntax Right, int Position) : Syntax(Position);
