using System.Text.Json;

namespace Vanus.Operators.Transform;

/// <summary>Every Vanus transformer action with its argument rules, and the compiler for one command.</summary>
internal static class ActionCatalog
{
    private const ArgKinds T = ArgKinds.Target;
    private const ArgKinds A = ArgKinds.Any;
    private const ArgKinds C = ArgKinds.Constant;
    private const ArgKinds D = ArgKinds.Data;
    private const ArgKinds None = ArgKinds.None;
    private const int Unlimited = int.MaxValue;

    private static readonly Dictionary<string, ActionSpec> Specs = new ActionSpec[]
    {
        // Structure.
        new("CREATE", "(path, value)", [T, A], None, 2, b => new CreateAction(b.Writable(0), NotNullConstant(b, 1))),
        new("DELETE", "(path)", [T], None, 1, b => new DeleteAction(b.Deletable(0))),
        new("REPLACE", "(path, value)", [T, A], None, 2, b => new ReplaceAction(b.Writable(0), NotNullConstant(b, 1))),
        new("MOVE", "(fromPath, toPath)", [T, T], None, 2, b => new MoveAction("MOVE", b.Deletable(0), b.Writable(1))),
        new("RENAME", "(path, newPath)", [T, T], None, 2, b => new MoveAction("RENAME", b.Deletable(0), b.Writable(1))),
        new("DUPLICATE", "(fromPath, toPath)", [T, T], None, 2, b => new DuplicateAction((TargetArg)b[0], b.Writable(1))),

        // Math.
        new("MATH_ADD", "(target, value1, value2, ...)", [T, A, A], A, Unlimited, b => Arithmetic("MATH_ADD", b)),
        new("MATH_SUB", "(target, value1, value2)", [T, A, A], None, 3, b => Arithmetic("MATH_SUB", b)),
        new("MATH_MUL", "(target, value1, value2, ...)", [T, A, A], A, Unlimited, b => Arithmetic("MATH_MUL", b)),
        new("MATH_DIV", "(target, dividend, divisor)", [T, A, A], None, 3, b => Arithmetic("MATH_DIV", b)),

        // Date and time.
        new("DATE_FORMAT", "(path, format, [timeZone])", [T, A], A, 3,
            b => new DateFormatAction(b.Writable(0), new LayoutSource(b[1], b.ConstantText(1), GoTimeLayout.FromDateFormat), b.Count > 2 ? Zone(b, 2) : ZoneSource.Utc)),
        new("UNIX_TIME_FORMAT", "(path, format, [timeZone])", [T, A], A, 3,
            b => new UnixTimeFormatAction(b.Writable(0), new LayoutSource(b[1], b.ConstantText(1), GoTimeLayout.FromDateFormat), b.Count > 2 ? Zone(b, 2) : ZoneSource.Utc)),
        new("CONVERT_TIMEZONE", "(path, fromTimeZone, toTimeZone, [dateTimeFormat])", [T, C, C], C, 4, ConvertTimezone),

        // Strings.
        new("JOIN", "(target, separator, value1, ...)", [T, A, A], A, Unlimited, b => new JoinAction(b.Writable(0), b[1], b.Args[2..])),
        new("UPPER_CASE", "(path)", [T], None, 1, b => new TextMapAction("UPPER_CASE", b.Writable(0), s => s.ToUpperInvariant())),
        new("LOWER_CASE", "(path)", [T], None, 1, b => new TextMapAction("LOWER_CASE", b.Writable(0), s => s.ToLowerInvariant())),
        new("CAPITALIZE_SENTENCE", "(path)", [T], None, 1, b => new TextMapAction("CAPITALIZE_SENTENCE", b.Writable(0), TextMapAction.CapitalizeSentence)),
        new("CAPITALIZE_WORD", "(path)", [T], None, 1, b => new TextMapAction("CAPITALIZE_WORD", b.Writable(0), TextMapAction.CapitalizeWords)),
        new("ADD_PREFIX", "(path, prefix)", [T, A], None, 2, b => new AffixAction("ADD_PREFIX", b.Writable(0), b[1], prefix: true)),
        new("ADD_SUFFIX", "(path, suffix)", [T, A], None, 2, b => new AffixAction("ADD_SUFFIX", b.Writable(0), b[1], prefix: false)),
        new("REPLACE_WITH_REGEX", "(path, pattern, value)", [T, C, A], None, 3, ReplaceWithRegex),
        new("REPLACE_STRING", "(path, subValue, targetValue)", [T, A, A], None, 3, b => new ReplaceStringAction(b.Writable(0), b[1], b[2])),
        new("REPLACE_BETWEEN_POSITIONS", "(path, startPosition, endPosition, targetValue)", [T, A, A, A], None, 4, b =>
        {
            Positions(b, 1, 2, min: 0, strict: true);
            return new ReplaceBetweenPositionsAction(b.Writable(0), b[1], b[2], b[3]);
        }),
        new("REPLACE_BETWEEN_DELIMITERS", "(path, startDelimiter, endDelimiter, targetValue)", [T, A, A, A], None, 4, b =>
        {
            NonEmptyConstants(b, 1, 2);
            return new ReplaceBetweenDelimitersAction(b.Writable(0), b[1], b[2], b[3]);
        }),
        new("CHECK_CUSTOM_VALUES", "(sourcePath, customValue, targetPath, trueFlag, falseFlag)", [T, C, T, C, C], None, 5,
            b => new CheckCustomValuesAction(b[0], NotNullConstant(b, 1), b.Writable(2), NotNullConstant(b, 3), NotNullConstant(b, 4))),
        new("SPLIT_WITH_INTERVALS", "(sourcePath, startPosition, splitInterval, targetPath)", [T, A, A, D], None, 4, b =>
        {
            b.ConstantInteger(1, 0, "must not be negative");
            b.ConstantInteger(2, 1, "must be greater than zero");
            return new SplitWithIntervalsAction(b[0], b[1], b[2], b.WritableData(3));
        }),
        new("SPLIT_WITH_DELIMITER", "(sourcePath, delimiter, targetPath)", [T, C, D], None, 3,
            b => new SplitWithDelimiterAction(b[0], b.ConstantText(1)!, b.WritableData(2))),
        new("SPLIT_BETWEEN_POSITIONS", "(sourcePath, startPosition, endPosition, targetPath)", [T, A, A, D], None, 4, b =>
        {
            Positions(b, 1, 2, min: 0, strict: true);
            return new SplitBetweenPositionsAction(b[0], b[1], b[2], b.WritableData(3));
        }),
        new("SPLIT_FROM_START", "(sourcePath, position, targetPath)", [T, C, D], None, 3,
            b => new SplitFromStartAction(b[0], b.ConstantInteger(1, 1, "must be greater than zero")!.Value, b.WritableData(2))),
        new("EXTRACT_BETWEEN_DELIMITERS", "(sourcePath, targetPath, startDelimiter, endDelimiter)", [T, T, A, A], None, 4, b =>
        {
            NonEmptyConstants(b, 2, 3);
            return new ExtractBetweenDelimitersAction(b[0], b.Writable(1), b[2], b[3]);
        }),
        new("EXTRACT_BETWEEN_POSITIONS", "(sourcePath, targetPath, startPosition, endPosition)", [T, T, A, A], None, 4, b =>
        {
            Positions(b, 2, 3, min: 1, strict: false);
            return new ExtractBetweenPositionsAction(b[0], b.Writable(1), b[2], b[3]);
        }),
        new("EXTRACT_MISSING_ACTION", "(sourcePath, targetPath, trueFlag, falseFlag)", [T, T, C, C], None, 4,
            b => new ExtractMissingAction(b[0], b.Writable(1), NotNullConstant(b, 2), NotNullConstant(b, 3))),

        // Condition.
        new("CONDITION_IF", "(targetPath, leftValue, operator, rightValue, trueValue, falseValue)", [T, A, A, A, A, A], None, 6, ConditionIf),

        // Arrays.
        new("RENDER_ARRAY", "(targetPath, arrayPath, template)", [T, D, C], None, 3, RenderArray),
        new("ARRAY_FOREACH", "(arrayPath, command, ...)", [D], None, Unlimited,
            b => new ArrayForeachAction((DataArg)b.Writable(0), b.NestedActions()), Nested: true),
        new("UNFOLD_ARRAY", "(sourcePath, targetPathPrefix)", [D, D], None, 2, UnfoldArray),

        // Common.
        new("LENGTH", "(targetPath, value)", [T, A], None, 2, b => new LengthAction(b.Writable(0), NotNullConstant(b, 1))),
    }.ToDictionary(s => s.Name, StringComparer.Ordinal);

    /// <summary>Every action name, upper case.</summary>
    public static IReadOnlyCollection<string> Names => Specs.Keys;

    /// <summary>Compiles one command array <c>["ACTION", arguments...]</c>, rejecting an unknown action, a wrong argument count or a bad argument.</summary>
    public static TransformAction Compile(JsonElement command, string location, int? pipelineIndex, CompileScope scope)
    {
        if (command.ValueKind != JsonValueKind.Array)
        {
            throw new TransformerDefinitionException(location, $"the command must be an array [\"ACTION\", arguments...], not {command.ValueKind}", null, pipelineIndex);
        }

        var items = command.EnumerateArray().ToArray();
        if (items.Length == 0)
        {
            throw new TransformerDefinitionException(location, "the command is empty; it needs an action name", null, pipelineIndex);
        }

        if (items[0].ValueKind != JsonValueKind.String)
        {
            throw new TransformerDefinitionException(location, $"the action name must be a string, not {items[0].ValueKind}", null, pipelineIndex);
        }

        var name = items[0].GetString()!;
        if (!Specs.TryGetValue(name.ToUpperInvariant(), out var spec))
        {
            throw new TransformerDefinitionException(location, $"unknown action '{name}'", name.ToUpperInvariant(), pipelineIndex);
        }

        var here = $"{location} ({spec.Name})";
        var argCount = items.Length - 1;
        int parsed;
        if (spec.Nested)
        {
            if (argCount < spec.Fixed.Length + 1)
            {
                throw new TransformerDefinitionException(here, $"takes {spec.Name}{spec.Usage}: the array path and at least one nested command, but has {argCount} argument(s)", spec.Name, pipelineIndex);
            }

            parsed = spec.Fixed.Length;
        }
        else
        {
            if (argCount < spec.Fixed.Length || argCount > spec.MaxArgs)
            {
                throw new TransformerDefinitionException(here, $"takes {CountText(spec)} {spec.Name}{spec.Usage}, but has {argCount}", spec.Name, pipelineIndex);
            }

            parsed = argCount;
        }

        var args = new Arg[parsed];
        for (var i = 0; i < parsed; i++)
        {
            var element = items[i + 1];
            var position = i + 1;
            var shown = element.ValueKind == JsonValueKind.String ? element.GetString()! : element.GetRawText();
            args[i] = ArgParser.Parse(element, scope, reason => new TransformerDefinitionException(here, $"argument {position} ('{shown}') {reason}", spec.Name, pipelineIndex));
            var allowed = i < spec.Fixed.Length ? spec.Fixed[i] : spec.Variadic;
            if ((args[i].Kind & allowed) == 0)
            {
                throw new TransformerDefinitionException(here, $"argument {position} ('{shown}') must be {Describe(allowed)}, not {Describe(args[i].Kind)}", spec.Name, pipelineIndex);
            }
        }

        var nested = spec.Nested ? items[(parsed + 1)..] : [];
        return spec.Create(new ActionBuilder(spec, here, pipelineIndex, args, nested, scope));
    }

    private static string CountText(ActionSpec spec) => spec.MaxArgs switch
    {
        Unlimited => $"at least {spec.Fixed.Length} arguments",
        var max when max == spec.Fixed.Length => spec.Fixed.Length == 1 ? "exactly 1 argument" : $"exactly {spec.Fixed.Length} arguments",
        var max => $"{spec.Fixed.Length} to {max} arguments",
    };

    private static string Describe(ArgKinds kinds) => kinds switch
    {
        ArgKinds.Target => "an event attribute ($.name) or a data path ($.data.path)",
        ArgKinds.Data => "a data path ($.data.path or @.path)",
        ArgKinds.Constant => "a constant value",
        ArgKinds.Attribute => "an event attribute",
        ArgKinds.Define => "a define variable",
        _ => "any value",
    };

    private static Arg NotNullConstant(ActionBuilder b, int index)
    {
        if (b[index] is ConstantArg { Value: null })
        {
            throw b.Fail(index, "is null, which counts as no value");
        }

        return b[index];
    }

    private static MathAction Arithmetic(string name, ActionBuilder b)
    {
        for (var i = 1; i < b.Count; i++)
        {
            if (b[i] is ConstantArg constant)
            {
                var value = NotNullConstant(b, i);
                double number;
                try
                {
                    number = Values.ToDouble(constant.Value!, value.Original);
                }
                catch (TransformFailure ex)
                {
                    throw b.Fail(i, $"must be a number: {ex.Message}");
                }

                if (name == "MATH_DIV" && i == 2 && number == 0)
                {
                    throw b.Fail(i, "is zero, so every event would fail with a division by zero");
                }
            }
        }

        return new MathAction(name, b.Writable(0), b.Args[1..]);
    }

    private static ZoneSource Zone(ActionBuilder b, int index)
    {
        if (b.ConstantText(index) is not { } name)
        {
            return new ZoneSource(b[index], null);
        }

        return TimeZones.TryFind(name, out var zone) ? new ZoneSource(null, zone) : throw b.Fail(index, $"is not a known time zone (use an IANA name such as 'Europe/Paris', or 'UTC')");
    }

    private static ConvertTimezoneAction ConvertTimezone(ActionBuilder b)
    {
        var from = b.ConstantText(1)!;
        var to = b.ConstantText(2)!;
        if (!TimeZones.TryFind(from, out var fromZone))
        {
            throw b.Fail(1, "is not a known time zone (use an IANA name such as 'Europe/Paris', or 'UTC')");
        }

        if (!TimeZones.TryFind(to, out var toZone))
        {
            throw b.Fail(2, "is not a known time zone (use an IANA name such as 'Asia/Kolkata', or 'UTC')");
        }

        var format = b.Count > 3 ? b.ConstantText(3)! : "";
        var layout = format.Length > 0 ? GoTimeLayout.FromGoDateFormat(format) : ConvertTimezoneAction.DefaultLayout;
        return new ConvertTimezoneAction(b.Writable(0), fromZone, toZone, GoTimeLayout.Compile(layout));
    }

    private static ReplaceWithRegexAction ReplaceWithRegex(ActionBuilder b)
    {
        var pattern = b.ConstantText(1)!;
        GoRegex regex;
        try
        {
            regex = GoRegex.Compile(pattern);
        }
        catch (ArgumentException ex)
        {
            throw b.Fail(1, $"is not a valid regular expression: {ex.Message}");
        }
        catch (NotSupportedException ex)
        {
            throw b.Fail(1, $"uses a construct RE2 does not have (backreferences, lookaround, atomic groups): {ex.Message}");
        }

        var replacement = b.ConstantText(2) is { } constant ? regex.TranslateReplacement(constant) : null;
        return new ReplaceWithRegexAction(b.Writable(0), regex, b[2], replacement);
    }

    private static void Positions(ActionBuilder b, int startIndex, int endIndex, long min, bool strict)
    {
        var rule = min == 0 ? "must not be negative" : "must be greater than zero (positions count from 1)";
        var start = b.ConstantInteger(startIndex, min, rule);
        var end = b.ConstantInteger(endIndex, min, rule);
        if (start is { } s && end is { } e && (strict ? s >= e : s > e))
        {
            throw b.Fail(startIndex, strict ? $"must be less than the end position {e}" : $"must not be greater than the end position {e}");
        }
    }

    private static void NonEmptyConstants(ActionBuilder b, params int[] indexes)
    {
        foreach (var i in indexes)
        {
            if (b.ConstantText(i) is { Length: 0 })
            {
                throw b.Fail(i, "is an empty delimiter");
            }
        }
    }

    private static ConditionIfAction ConditionIf(ActionBuilder b)
    {
        if (b[2] is ConstantArg { Value: var op })
        {
            if (!Values.TryGetString(op, out var symbol))
            {
                throw b.Fail(2, $"must be a string operator (==, >=, >, <= or <), not {Values.Describe(op)}");
            }

            if (!ConditionIfAction.IsOperator(symbol))
            {
                throw b.Fail(2, "is not a supported operator; use ==, >=, >, <= or <");
            }
        }

        return new ConditionIfAction(b.Writable(0), b[1], b[2], b[3], NotNullConstant(b, 4), NotNullConstant(b, 5));
    }

    private static RenderArrayAction RenderArray(ActionBuilder b)
    {
        var target = b.WritableData(0);
        var root = (DataArg)b[1];
        var (literals, placeholders) = RenderArrayAction.Split(b.ConstantText(2)!);
        var paths = new JsonPath[placeholders.Length];
        for (var i = 0; i < placeholders.Length; i++)
        {
            try
            {
                paths[i] = JsonPath.Parse(root.Path.Text + "[:]" + placeholders[i]);
            }
            catch (FormatException ex)
            {
                throw b.Fail(2, $"has placeholder <@{placeholders[i]}>, which is not a path into the elements (write <@.name>): {ex.Message}");
            }
        }

        return new RenderArrayAction(target, literals, paths, placeholders);
    }

    private static UnfoldArrayAction UnfoldArray(ActionBuilder b)
    {
        var prefix = b.WritableData(1);
        if (prefix.Path.IsRoot || prefix.Path.Segments[^1].Step != PathStep.Name)
        {
            throw b.Fail(1, "must end in a member name, to which -0, -1, ... are appended");
        }

        return new UnfoldArrayAction((DataArg)b[0], prefix);
    }
}
