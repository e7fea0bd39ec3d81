import MLReproCLI

@main
enum Entry {
    static func main() async {
        await CommandLineEntry.run()
    }
}
