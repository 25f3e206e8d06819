package io.diffusion4j.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TempPathsTest {
    @TempDir
    Path dir;

    @Test
    void aNewFileIsEmptyUniqueAndHasTheUmaskPermissionsOfAnyNewFile() throws Exception {
        Path a = TempPaths.newFile(dir, ".x", ".part");
        Path b = TempPaths.newFile(dir, ".x", ".part");
        assertNotEquals(a, b);
        assertEquals(dir, a.getParent());
        String name = a.getFileName().toString();
        assertTrue(name.startsWith(".x") && name.endsWith(".part") && name.length() > ".x.part".length(), name);
        assertEquals(0, Files.size(a));
        Path plain = Files.createFile(dir.resolve("plain"));
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(a));
    }

    @Test
    void aNewFolderIsEmptyUniqueAndHasTheUmaskPermissionsOfAnyNewFolder() throws Exception {
        Path a = TempPaths.newDirectory(dir, ".d-");
        Path b = TempPaths.newDirectory(dir, ".d-");
        assertNotEquals(a, b);
        assertTrue(Files.isDirectory(a) && a.getFileName().toString().startsWith(".d-"));
        try (var entries = Files.list(a)) {
            assertEquals(0, entries.count());
        }
        Path plain = Files.createDirectory(dir.resolve("plain"));
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(a));
    }
}
