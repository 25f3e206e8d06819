package io.diffusion4j;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class EngineSmokeTest {
    @Test
    void engineLoadsOffline() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.create(new float[] {1, 2, 3});
            assertEquals(6f, a.sum().getFloat(), 0f);
            assertEquals("PyTorch", m.getEngine().getEngineName());
        }
    }
}
