using Nmsg.Dns;
using Nmsg.Internal;
using Nmsg.Modules;
using Nmsg.Text;

namespace Nmsg.Tests;

/// <summary>
/// The formatters write fixed text (keys, mnemonics, enum names) from padded copies kept beside the general
/// forms; each padded copy must give exactly the bytes the general path gives, with room to spare or without.
/// </summary>
public class ShortTextTests
{
    private static byte[] Ascii(string s)
    {
        byte[] b = new byte[s.Length];
        for (int i = 0; i < s.Length; i++)
            b[i] = (byte)s[i];
        return b;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(16)]
    [InlineData(31)]
    [InlineData(32)]
    [InlineData(33)]
    [InlineData(200)]
    public void A_short_text_writes_its_bytes_and_nothing_after_them(int length)
    {
        var random = new Random(length);
        byte[] text = new byte[length];
        random.NextBytes(text);
        var shortText = new ShortText(text);
        Assert.Equal(length <= ShortText.PaddedLength, shortText.Padded is not null);
        // At every distance from the end of the buffer: the padded copy where there is room, the plain one where not.
        for (int before = 0; before < 80; before++)
        {
            using var w = new PooledBufferWriter(64);
            byte[] prefix = new byte[before];
            random.NextBytes(prefix);
            w.Write(prefix);
            w.Write(shortText);
            w.Write("|"u8);
            Assert.Equal([.. prefix, .. text, (byte)'|'], w.WrittenSpan.ToArray());
        }
    }

    [Fact]
    public void A_short_text_in_a_dns_builder_writes_its_bytes()
    {
        for (int length = 0; length <= 40; length++)
        {
            byte[] text = new byte[length];
            new Random(length).NextBytes(text);
            var shortText = new ShortText(text);
            for (int before = 0; before < 40; before++)
            {
                var b = new ByteBuilder(new byte[48]);
                for (int i = 0; i < before; i++)
                    b.Append((byte)'x');
                b.Append(shortText);
                b.Append((byte)'|');
                Assert.Equal([.. Enumerable.Repeat((byte)'x', before), .. text, (byte)'|'], b.Written.ToArray());
                b.Dispose();
            }
        }
    }

    [Fact]
    public void Mnemonic_texts_are_the_mnemonics()
    {
        for (int n = 0; n <= ushort.MaxValue; n++)
        {
            ushort v = (ushort)n;
            if (DnsMnemonics.TypeText(v) is { } type)
            {
                Assert.Equal(Ascii(DnsMnemonics.TypeName(v)!), type.Bytes);
                Assert.Equal(Ascii("\"" + DnsMnemonics.TypeName(v) + "\""), DnsMnemonics.TypeJson(v)!.Bytes);
            }
            else
            {
                Assert.Null(DnsMnemonics.TypeJson(v));
                Assert.True(v >= 258 || DnsMnemonics.TypeName(v) is null);
            }
            if (DnsMnemonics.ClassText(v) is { } cls)
            {
                Assert.Equal(Ascii(DnsMnemonics.ClassName(v)!), cls.Bytes);
                Assert.Equal(Ascii("\"" + DnsMnemonics.ClassName(v) + "\""), DnsMnemonics.ClassJson(v)!.Bytes);
            }
            if (DnsMnemonics.RcodeText(n) is { } rcode)
            {
                Assert.Equal(Ascii(DnsMnemonics.RcodeName(n)!), rcode.Bytes);
                Assert.Equal(Ascii("\"" + DnsMnemonics.RcodeName(n) + "\""), DnsMnemonics.RcodeJson(n)!.Bytes);
            }
            else
            {
                Assert.Null(DnsMnemonics.RcodeName(n));
            }
            if (DnsMnemonics.OpcodeJson(n) is { } opcode)
            {
                Assert.Equal(Ascii("\"" + DnsMnemonics.OpcodeName(n) + "\""), opcode.Bytes);
                Assert.Equal(Ascii(DnsMnemonics.OpcodeName(n)!), DnsMnemonics.OpcodeText(n)!.Bytes);
            }
            else
            {
                Assert.Null(DnsMnemonics.OpcodeName(n));
                Assert.Null(DnsMnemonics.OpcodeText(n));
            }
        }
        Assert.NotNull(DnsMnemonics.TypeText(1));
        Assert.NotNull(DnsMnemonics.ClassText(1));
    }

    [Fact]
    public void Enum_name_texts_are_the_names_as_each_format_writes_them()
    {
        var odd = new NmsgEnum("Odd", (0, "zero"), (3, "quote\"back\\slash"), (5, "ctl\u0001"), (7, "é"), (63, "last"), (64, "beyond"), (-1, "negative"));
        List<NmsgEnum> enums = [odd];
        foreach (NmsgModule module in NmsgModules.Default.All)
        {
            foreach (NmsgField f in module.FieldArray)
            {
                if (f.Enum is { } e)
                    enums.Add(e);
            }
        }
        foreach (NmsgEnum e in enums)
        {
            for (int v = -2; v < 80; v++)
            {
                string? name = e.NameOf(v);
                ShortText? json = e.JsonNameOf(v);
                ShortText? ascii = e.AsciiNameOf(v);
                if (name is null || v is < 0 or >= 64)
                {
                    Assert.Null(json);
                    Assert.Null(ascii);
                    continue;
                }
                using var w = new PooledBufferWriter(64);
                JsonString.Write(w, name);
                Assert.Equal(w.WrittenSpan.ToArray(), json!.Bytes);
                w.Clear();
                w.Ascii(name);
                Assert.Equal(w.WrittenSpan.ToArray(), ascii!.Bytes);
            }
        }
    }

    [Fact]
    public void Field_keys_are_the_field_names()
    {
        foreach (NmsgModule module in NmsgModules.Default.All)
        {
            foreach (NmsgField f in module.FieldArray)
            {
                Assert.Equal(System.Text.Encoding.UTF8.GetBytes(",\"" + f.Name + "\":"), f.JsonKeyText.Bytes);
                Assert.Equal(System.Text.Encoding.UTF8.GetBytes("\"" + f.Name + "\":"), f.JsonKeyFirstText.Bytes);
                Assert.Equal(System.Text.Encoding.UTF8.GetBytes(f.Name + ": "), f.PresentationPrefixText.Bytes);
            }
        }
    }
}
