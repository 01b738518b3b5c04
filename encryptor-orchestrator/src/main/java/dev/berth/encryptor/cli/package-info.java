/**
 * The {@code berth-encryptor} command line (picocli): one command class per subcommand, shared
 * option groups ({@code Ec2Options}, {@code EncryptOptions}), and {@code Interrupts}, which turns
 * Ctrl-C and SIGTERM into a cancel followed by cleanup and exit status 130.
 */
package dev.berth.encryptor.cli;
