namespace GpuEstimation.Design;

/// <summary>
/// Reads a model formula as R and statsmodels (patsy) write one: <c>y ~ x1 + x2 + C(g) + x1:x2</c>. A term is a
/// column, <c>C(col)</c> for a factor, or an interaction <c>a:b</c> (their product); <c>a*b</c> is <c>a + b + a:b</c>;
/// parentheses group (<c>(a + b):c</c> is <c>a:c + b:c</c>); <c>- term</c> removes a term; <c>- 1</c> or <c>+ 0</c>
/// leaves the intercept out (<c>+ 1</c> puts it back); <c>offset(col)</c> adds a column to the linear predictor with
/// coefficient 1 (<c>offset(log(col))</c> its log); <c>C(g, Treatment('b'))</c> (or <c>Treatment(reference='b')</c>, or a number for numeric codes)
/// contrasts a factor's levels with level b instead of the first in sorted order, as patsy does. A column name that is not an identifier (letters, digits, <c>_</c>, <c>.</c>, not starting with a
/// digit) is written in backquotes, as R does: <c>`0` ~ `1` + C(`2`)</c> for a .npy array's columns.
/// </summary>
public static class Formula
{
    /// <summary>
    /// The design <paramref name="text"/> describes. A syntax error is an <see cref="InputException"/> naming the
    /// character (counted from 1) where the formula stops making sense and what was expected there.
    /// </summary>
    public static DesignSpec Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new Parser(text).Formula();
    }

    private enum Kind { Name, Number, Text, Symbol, End }

    private readonly record struct Token(Kind Kind, string Text, int Position);

    /// <summary>A recursive-descent parser over the tokens; each rule returns the terms its part of the formula makes.</summary>
    private sealed class Parser
    {
        private readonly string _text;
        private readonly List<Token> _tokens;
        private readonly Dictionary<DesignVariable, int> _order = [];
        private int _next;
        private int _depth;
        private readonly Dictionary<string, string> _references = [];
        private bool _offsetLog;
        private bool? _intercept;
        private string? _offset;

        public Parser(string text)
        {
            _text = text;
            _tokens = Tokenize(text);
        }

        private Token Current => _tokens[_next];

        public DesignSpec Formula()
        {
            if (Current.Kind == Kind.End)
                throw Error(Current, "the formula is empty; write it as 'response ~ terms'");
            var response = Current;
            if (response.Kind != Kind.Name || Peek(1) is { Text: "(" })
                throw Error(response, "expected the response column before '~'");
            _next++;
            Expect("~", "expected '~' after the response");
            if (Current.Kind == Kind.End)
                throw Error(Current, "expected the terms after '~'");
            var terms = Sum();
            if (Current.Kind != Kind.End)
                throw Error(Current, Current.Text == ")" ? "')' without a matching '('" : $"expected '+', '-', '*' or ':' before '{Current.Text}'");
            try
            {
                return new DesignSpec(response.Text, terms.Select(Ordered), _intercept ?? true, _offset, _references, _offsetLog);
            }
            catch (InputException e)
            {
                throw new InputException($"formula '{_text}': {e.Message.Replace("design: ", "", StringComparison.Ordinal)}", e.ParamName);
            }
        }

        // sum := ['+'|'-'] product (('+'|'-') product)*, where 1, 0 and offset() may stand only as whole parts.
        private List<DesignTerm> Sum(bool top = true)
        {
            var terms = new List<DesignTerm>();
            bool minus = false;
            if (Current.Text is "+" or "-")
            {
                minus = Current.Text == "-";
                _next++;
            }
            while (true)
            {
                var start = Current;
                if (!Special(start, minus, top))
                {
                    var part = Product();
                    if (minus)
                        terms.RemoveAll(part.Contains);
                    else
                        terms.AddRange(part.Where(t => !terms.Contains(t)));
                }
                if (Current.Text is not ("+" or "-"))
                    return terms;
                minus = Current.Text == "-";
                _next++;
                if (Current.Kind == Kind.End)
                    throw Error(Current, $"expected a term after '{(minus ? '-' : '+')}'");
            }
        }

        // The parts that are not terms: 1 and 0 (the intercept), offset(col). True when one was read.
        private bool Special(Token token, bool minus, bool top)
        {
            bool whole = Peek(1) is { Text: "+" or "-" or ")" } or { Kind: Kind.End };
            if (token.Kind == Kind.Number)
            {
                if (!whole || token.Text is not ("0" or "1"))
                    throw Error(token, token.Text is "0" or "1"
                        ? $"{token.Text} (the intercept) cannot be part of an interaction"
                        : $"'{token.Text}' is a number; only 1 and 0 (the intercept) may stand as terms (a column named by digits is written `{token.Text}`)");
                if (!top)
                    throw Error(token, "1 and 0 (the intercept) may not stand inside parentheses");
                // +1 and -0 keep the intercept; -1 and +0 drop it.
                _intercept = (token.Text == "1") != minus;
                _next++;
                return true;
            }
            if (token is { Kind: Kind.Name, Text: "offset" } && Peek(1) is { Text: "(" })
            {
                if (!top || minus)
                    throw Error(token, minus ? "an offset cannot be removed" : "offset() may not stand inside parentheses");
                _next += 2;
                // offset(log(col)): the log of an exposure, as R and patsy write it.
                bool log = Current is { Kind: Kind.Name, Text: "log" } && Peek(1) is { Text: "(" };
                if (log)
                    _next += 2;
                var column = ColumnName(log ? "expected a column name in offset(log())" : "expected a column name in offset() (or log(column), its log)");
                if (log)
                    Expect(")", "expected ')' to close log(");
                Expect(")", "expected ')' to close offset(");
                if (Current.Text is ":" or "*")
                    throw Error(token, "offset() cannot be part of an interaction");
                if (_offset is not null && (_offset != column || _offsetLog != log))
                    throw Error(token, $"a second offset ({column}, after {_offset}); add them into one column");
                _offset = column;
                _offsetLog = log;
                return true;
            }
            return false;
        }

        // product := interaction ('*' interaction)*; a*b = a + b + a:b.
        private List<DesignTerm> Product()
        {
            var terms = Interaction();
            while (Current.Text == "*")
            {
                _next++;
                var right = Interaction();
                var crossed = Cross(terms, right);
                terms = [.. terms.Concat(right).Concat(crossed).Distinct()];
            }
            return terms;
        }

        // interaction := atom (':' atom)*.
        private List<DesignTerm> Interaction()
        {
            var terms = Atom();
            while (Current.Text == ":")
            {
                _next++;
                terms = Cross(terms, Atom());
            }
            return terms;
        }

        // atom := column | C(column) | '(' sum ')'.
        private List<DesignTerm> Atom()
        {
            var token = Current;
            if (token.Text == "(")
            {
                // Brackets nest by recursion: deeper than the expressions' limit is refused before the stack overflows
                // (a fuzzing trial's 20,000 ended the process, exit 134).
                if (_depth == Expressions.ExpressionParser.MaxDepth)
                    throw Error(token, $"the formula's brackets are nested more than {Expressions.ExpressionParser.MaxDepth} levels deep");
                _next++;
                _depth++;
                var inner = Sum(top: false);
                _depth--;
                Expect(")", "expected ')' to close the '(' at character " + (token.Position + 1));
                return inner;
            }
            if (token.Kind == Kind.Number)
                throw Error(token, token.Text is "0" or "1" ? $"{token.Text} (the intercept) cannot be part of an interaction" : $"'{token.Text}' is a number, not a column (a column named by digits is written `{token.Text}`)");
            if (token.Kind != Kind.Name)
                throw Error(token, token.Kind == Kind.End ? "expected a term (a column, C(column), offset(column), 1 or 0) at the end" : $"expected a term (a column, C(column), offset(column), 1 or 0), found '{token.Text}'");
            if (Peek(1) is { Text: "(" })
            {
                if (token.Text == "offset")
                    throw Error(token, "offset() cannot be part of an interaction or be removed");
                if (token.Text != "C")
                    throw Error(token, $"unknown function '{token.Text}': only C(column) (a factor) and offset(column) or offset(log(column)) are understood; transform the column in the data");
                _next += 2;
                var column = ColumnName("expected a column name in C()");
                if (Current.Text == "," && Current.Kind == Kind.Symbol)
                {
                    _next++;
                    Reference(column);
                }
                Expect(")", "expected ')' to close C(");
                return [Term(new DesignVariable(column, true))];
            }
            _next++;
            return [Term(new DesignVariable(token.Text, false))];
        }

        // Treatment('b'), Treatment(reference='b') or Treatment(2) after C(column, : the factor's reference level.
        private void Reference(string column)
        {
            const string Expected = "expected Treatment('level') after the column in C(): the level the others are contrasted with (treatment coding is the only coding)";
            if (Current is not { Kind: Kind.Name, Text: "Treatment" })
                throw Error(Current, Expected);
            // Treatment alone (patsy's spelling of the default coding): the first level in sorted order.
            if (Peek(1) is { Text: ")" })
            {
                _next++;
                return;
            }
            if (Peek(1) is not { Text: "(" })
                throw Error(Current, Expected);
            _next += 2;
            if (Current is { Kind: Kind.Name, Text: "reference" } && Peek(1) is { Text: "=" })
                _next += 2;
            // A negative number is a minus and a number (the lexer reads no sign).
            bool negative = Current is { Kind: Kind.Symbol, Text: "-" } && Peek(1) is { Kind: Kind.Number };
            if (negative)
                _next++;
            var level = Current;
            if (level.Kind is not (Kind.Text or Kind.Number))
                throw Error(level, "expected the reference level in Treatment(): text in quotes ('b') or a number");
            if (negative)
                level = level with { Text = "-" + level.Text };
            _next++;
            // 1e-5 reads as 1e, then a minus: such a level is written in quotes.
            if (level.Kind == Kind.Number && Current is { Kind: Kind.Symbol, Text: "-" or "+" })
                throw Error(level, $"write a level with an exponent in quotes: Treatment('{level.Text}{Current.Text}{Peek(1)?.Text}')");
            Expect(")", "expected ')' to close Treatment(");
            if (_references.TryGetValue(column, out var other) && other != level.Text)
                throw Error(level, $"factor '{column}' is given two reference levels ('{other}' and '{level.Text}')");
            _references[column] = level.Text;
        }

        private string ColumnName(string expected)
        {
            var token = Current;
            if (token.Kind != Kind.Name || Peek(1) is { Text: "(" })
                throw Error(token, expected);
            _next++;
            return token.Text;
        }

        private DesignTerm Term(DesignVariable variable)
        {
            _order.TryAdd(variable, _order.Count);
            return new DesignTerm([variable]);
        }

        private static List<DesignTerm> Cross(List<DesignTerm> left, List<DesignTerm> right) =>
            [.. left.SelectMany(a => right.Select(b => new DesignTerm(a.Variables.Concat(b.Variables)))).Distinct()];

        // A term's variables in the order they first appear in the formula, so b:a and a:b are both named a:b.
        private DesignTerm Ordered(DesignTerm term) => new(term.Variables.OrderBy(v => _order[v]));

        private Token? Peek(int ahead) => _next + ahead < _tokens.Count ? _tokens[_next + ahead] : null;

        private void Expect(string symbol, string message)
        {
            if (Current.Text != symbol || Current.Kind is not Kind.Symbol)
                throw Error(Current, message);
            _next++;
        }

        private InputException Error(Token at, string message)
        {
            var where = at.Kind == Kind.End ? $"at the end (character {at.Position + 1})" : $"at character {at.Position + 1} ('{at.Text}')";
            return new InputException($"formula '{_text}': {where}: {message}", "formula");
        }

        private List<Token> Tokenize(string text)
        {
            var tokens = new List<Token>();
            int i = 0;
            while (i < text.Length)
            {
                char c = text[i];
                if (char.IsWhiteSpace(c))
                {
                    i++;
                }
                else if (c == '`')
                {
                    int close = text.IndexOf('`', i + 1);
                    if (close < 0)
                        throw Error(new Token(Kind.Symbol, "`", i), "a backquoted name without its closing '`'");
                    if (close == i + 1)
                        throw Error(new Token(Kind.Symbol, "`", i), "an empty backquoted name");
                    tokens.Add(new Token(Kind.Name, text[(i + 1)..close], i));
                    i = close + 1;
                }
                else if (char.IsLetter(c) || c is '_' or '.')
                {
                    int start = i;
                    while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] is '_' or '.'))
                        i++;
                    tokens.Add(new Token(Kind.Name, text[start..i], start));
                }
                else if (char.IsDigit(c))
                {
                    int start = i;
                    while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] is '_' or '.'))
                        i++;
                    tokens.Add(new Token(Kind.Number, text[start..i], start));
                }
                else if (c is '\'' or '"')
                {
                    int close = text.IndexOf(c, i + 1);
                    if (close < 0)
                        throw Error(new Token(Kind.Symbol, c.ToString(), i), $"a quoted level without its closing {c}");
                    tokens.Add(new Token(Kind.Text, text[(i + 1)..close], i));
                    i = close + 1;
                }
                else if ("~+-*:(),=".Contains(c))
                {
                    tokens.Add(new Token(Kind.Symbol, c.ToString(), i));
                    i++;
                }
                else
                {
                    throw Error(new Token(Kind.Symbol, c.ToString(), i), c is '/' or '^' or '|'
                        ? $"'{c}' is not supported (terms are joined by +, -, * and :)"
                        : $"'{c}' is not part of a formula (a column name with it is written in backquotes)");
                }
            }
            if (tokens.Count(t => t.Text == "~" && t.Kind == Kind.Symbol) > 1)
                throw Error(tokens.Where(t => t.Text == "~").Skip(1).First(), "a second '~'");
            tokens.Add(new Token(Kind.End, "", text.TrimEnd().Length));
            return tokens;
        }
    }
}
