using System.Globalization;

namespace GpuEstimation.Expressions;

/// <summary>
/// Tokenizer and recursive-descent parser of the expression language. Grammar, loosest first:
/// <code>
/// sum     := product (('+' | '-') product)*
/// product := unary (('*' | '/') unary)*
/// unary   := ('-' | '+') unary | power
/// power   := primary (('^' | '**') unary)?        right-associative, tighter than unary minus: -x^2 = -(x^2)
/// primary := number | name | `quoted name` | name '(' sum (',' sum)* ')' | name '[' sum (',' sum)* ']' | '(' sum ')' | '[' sum ']'
/// </code>
/// A name in backquotes is a data column or parameter whatever it holds (<c>`x.1`</c>, <c>`my col`</c>, a column
/// named <c>pi</c>), never a function or the constant π. Numbers as C writes them (<c>.5</c>, <c>1e-4</c>, <c>2.5E+3</c>). An error is an <see cref="InputException"/> that
/// shows the expression with a caret under the place.
/// </summary>
internal sealed class ExpressionParser
{
    /// <summary>
    /// The deepest expression taken, in nested brackets, signs, powers and calls, and in terms of a sum or factors of a
    /// product (each a level of the tree that every later stage walks recursively): deeper ones are refused by name. A
    /// fuzzing trial's 10,000 nested brackets overflowed the stack (exit 134); 5,000 still ran.
    /// </summary>
    public const int MaxDepth = 1000;

    private readonly string _text;
    private readonly List<Token> _tokens;
    private int _next;
    private int _depth;

    private enum Kind { Number, Name, QuotedName, Operator, End }

    private readonly record struct Token(Kind Kind, string Text, int Position);

    private ExpressionParser(string text)
    {
        _text = text;
        _tokens = Tokenize(text);
    }

    /// <summary>The syntax tree of <paramref name="text"/>.</summary>
    public static Syntax Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parser = new ExpressionParser(text);
        if (parser.Peek.Kind == Kind.End)
            throw Error(text, 0, "the expression is empty");
        var tree = parser.Sum();
        if (parser.Peek.Kind != Kind.End)
            throw Error(text, parser.Peek.Position, $"unexpected '{parser.Peek.Text}' after a complete expression");
        if (Deeper(tree, MaxDepth) is { } deep)
            throw TooDeep(text, deep.Position);
        return tree;
    }

    private static InputException TooDeep(string text, int position) =>
        Error(text, position, $"the expression is nested more than {MaxDepth} levels deep (brackets, signs, powers, calls, or terms of one sum or product); write it in steps, or as a smaller expression");

    // The first node found below the tree's depth limit, walked with a stack of its own (a long sum's left spine is as
    // deep as its terms are many, and is not yet refused while it is parsed); null where none.
    private static Syntax? Deeper(Syntax tree, int limit)
    {
        var pending = new Stack<(Syntax Node, int Depth)>();
        pending.Push((tree, 1));
        while (pending.TryPop(out var item))
        {
            if (item.Depth > limit)
                return item.Node;
            switch (item.Node)
            {
                case UnarySyntax unary:
                    pending.Push((unary.Operand, item.Depth + 1));
                    break;
                case BinarySyntax binary:
                    pending.Push((binary.Left, item.Depth + 1));
                    pending.Push((binary.Right, item.Depth + 1));
                    break;
                case CallSyntax call:
                    foreach (var argument in call.Arguments)
                        pending.Push((argument, item.Depth + 1));
                    break;
            }
        }
        return null;
    }

    /// <summary>An error at <paramref name="position"/> of <paramref name="text"/>: the message, then the text with a caret under the place.</summary>
    public static InputException Error(string text, int position, string message) =>
        new($"expression: {message} (at character {position + 1} of '{text.ReplaceLineEndings(" ")}')")
        {
            Display = $"  {text.ReplaceLineEndings(" ")}\n  {new string(' ', position)}^",
        };

    private Token Peek => _tokens[_next];

    private Token Take() => _tokens[_next++];

    private bool TakeIf(string op)
    {
        if (Peek.Kind == Kind.Operator && Peek.Text == op)
        {
            _next++;
            return true;
        }
        return false;
    }

    private Syntax Sum()
    {
        var left = Product();
        while (Peek is { Kind: Kind.Operator, Text: "+" or "-" })
        {
            var op = Take();
            left = new BinarySyntax(op.Text[0], left, Product(), op.Position);
        }
        return left;
    }

    private Syntax Product()
    {
        var left = Unary();
        while (Peek is { Kind: Kind.Operator, Text: "*" or "/" })
        {
            var op = Take();
            left = new BinarySyntax(op.Text[0], left, Unary(), op.Position);
        }
        return left;
    }

    // Every nesting (a bracket, a sign, an exponent, a call's argument) passes here: the parser's own recursion stops at
    // the depth limit before it can overflow the stack.
    private Syntax Unary()
    {
        if (++_depth > MaxDepth)
            throw TooDeep(_text, Peek.Position);
        try
        {
            if (Peek is { Kind: Kind.Operator, Text: "-" or "+" })
            {
                var op = Take();
                return new UnarySyntax(op.Text[0], Unary(), op.Position);
            }
            return Power();
        }
        finally
        {
            _depth--;
        }
    }

    private Syntax Power()
    {
        var base_ = Primary();
        if (Peek is { Kind: Kind.Operator, Text: "^" })
        {
            var op = Take();
            // The exponent may itself be signed (2^-3) and is right-associative (2^3^2 = 2^9).
            return new BinarySyntax('^', base_, Unary(), op.Position);
        }
        return base_;
    }

    private Syntax Primary()
    {
        var token = Take();
        switch (token.Kind)
        {
            case Kind.Number:
                {
                    // 1e400 parses as +∞, which would surface later as a NaN "at the start".
                    // 1e-400 rounds to 0, which would surface as a parameter that "does not appear" (a hunt).
                    double value = double.Parse(token.Text, NumberStyles.Float, CultureInfo.InvariantCulture);
                    string mantissa = token.Text.Split('e', 'E')[0];
                    return !double.IsFinite(value)
                        ? throw Error(_text, token.Position, $"the number {token.Text} is beyond the range of a double (about 1.8e308)")
                        : value == 0 && mantissa.Any(c => c is >= '1' and <= '9')
                        ? throw Error(_text, token.Position, $"the number {token.Text} is below the smallest double (about 4.9e-324): it would be 0")
                        : new NumberSyntax(value, token.Position);
                }
            // A call, with ( ) or, as NIST writes them (exp[-b2*x]), [ ].
            case Kind.Name when Peek is { Kind: Kind.Operator, Text: "(" or "[" }:
                {
                    string open = Take().Text, close = open == "(" ? ")" : "]";
                    var arguments = new List<Syntax>();
                    if (Peek is { Kind: Kind.Operator } next && next.Text == close)
                        throw Error(_text, Peek.Position, $"{token.Text}{open}{close} needs arguments");
                    arguments.Add(Sum());
                    while (TakeIf(","))
                        arguments.Add(Sum());
                    Close(close, open, token.Position + token.Text.Length);
                    return new CallSyntax(token.Text, arguments, token.Position);
                }
            case Kind.Name:
                return new NameSyntax(token.Text, token.Position);
            case Kind.QuotedName:
                return new NameSyntax(token.Text, token.Position, Quoted: true);
            case Kind.Operator when token.Text is "(" or "[":
                {
                    var inner = Sum();
                    Close(token.Text == "(" ? ")" : "]", token.Text, token.Position);
                    return inner;
                }
            case Kind.End:
                throw Error(_text, token.Position, "the expression ends where a value was expected");
            default:
                throw Error(_text, token.Position, $"unexpected '{token.Text}' where a value was expected");
        }
    }

    private void Close(string bracket, string open, int position)
    {
        if (TakeIf(bracket))
            return;
        var at = Peek;
        throw at.Kind == Kind.End
            ? Error(_text, position, $"'{open}' is not closed: '{bracket}' expected before the end")
            : Error(_text, at.Position, $"'{bracket}' or ',' expected, not '{at.Text}'");
    }

    private static List<Token> Tokenize(string text)
    {
        var tokens = new List<Token>();
        int i = 0;
        while (i < text.Length)
        {
            char c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }
            int start = i;
            if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1])))
            {
                while (i < text.Length && char.IsAsciiDigit(text[i]))
                    i++;
                if (i < text.Length && text[i] == '.')
                {
                    i++;
                    while (i < text.Length && char.IsAsciiDigit(text[i]))
                        i++;
                }
                if (i < text.Length && (text[i] == 'e' || text[i] == 'E'))
                {
                    int mark = i++;
                    if (i < text.Length && (text[i] == '+' || text[i] == '-'))
                        i++;
                    if (i >= text.Length || !char.IsAsciiDigit(text[i]))
                        throw Error(text, mark, "a number's exponent needs digits");
                    while (i < text.Length && char.IsAsciiDigit(text[i]))
                        i++;
                }
                if (i < text.Length && (char.IsAsciiLetter(text[i]) || text[i] == '_' || text[i] == '.'))
                    throw Error(text, i, $"'{text[i]}' cannot follow a number");
                tokens.Add(new Token(Kind.Number, text[start..i], start));
            }
            else if (char.IsAsciiLetter(c) || c == '_')
            {
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_'))
                    i++;
                if (i < text.Length && text[i] == '.')
                {
                    int end = text.IndexOfAny([' ', '+', '-', '*', '/', '^', '(', ')', '[', ']', ','], i);
                    throw Error(text, i, $"'.' cannot follow a name: a name that is not an identifier goes in backquotes (`{text[start..(end < 0 ? text.Length : end)]}`)");
                }
                tokens.Add(new Token(Kind.Name, text[start..i], start));
            }
            else if (c == '`')
            {
                int close = text.IndexOf('`', i + 1);
                if (close < 0)
                    throw Error(text, i, "'`' is not closed: a name in backquotes ends with another '`'");
                if (close == i + 1)
                    throw Error(text, i, "`` names nothing: put a column's or parameter's name between the backquotes");
                tokens.Add(new Token(Kind.QuotedName, text[(i + 1)..close], start));
                i = close + 1;
            }
            else if (c == '*' && i + 1 < text.Length && text[i + 1] == '*')
            {
                tokens.Add(new Token(Kind.Operator, "^", start));
                i += 2;
            }
            else if ("+-*/^()[],".Contains(c))
            {
                tokens.Add(new Token(Kind.Operator, c.ToString(), start));
                i++;
            }
            else
            {
                throw Error(text, i, $"'{c}' is not part of the expression language (operators: + - * / ^ **, brackets ( ) [ ], commas between arguments; a name that is not an identifier in backquotes: `x.1`)");
            }
        }
        tokens.Add(new Token(Kind.End, "end", text.Length));
        return tokens;
    }
}
