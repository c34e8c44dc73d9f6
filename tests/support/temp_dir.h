#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace dlctl::test {

/// A fresh directory under the system temp dir, removed with everything in it on destruction.
class TempDir {
  public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::filesystem::path& path() const { return path_; }
    /// Writes `content` to `name` inside the directory and returns the file's path.
    std::filesystem::path write(const std::string& name, std::string_view content) const;

  private:
    std::filesystem::path path_;
};

/// The whole content of a file.
std::string read_text(const std::filesystem::path& path);

}  // namespace dlctl::test
